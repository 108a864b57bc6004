namespace Webhooks.Core.Events;

/// <summary>
/// Headers Ingest sets on an event message it publishes, so that fan-out does not do again what Ingest did. Each only spares work:
/// a message without them (a bus publisher's) is fanned out as before, and one that says more than is so is found out.
/// </summary>
public static class EventHeaders
{
    /// <summary>Ingest kept the event and listed it under its tenant: the fan-out's claim need not send it again (one not there is kept all the same).</summary>
    public const string Kept = "Webhooks-Event-Kept";

    /// <summary>
    /// The tenant's endpoint version, read as Ingest listed the event: fan-out's copy of the tenant's endpoints that is at least that
    /// new serves without asking Redis, since every change an event was accepted after has moved the version.
    /// </summary>
    public const string EndpointsVersion = "Webhooks-Endpoints-Version";

    /// <summary>
    /// Ingest checked the event's data against its type's schema in the catalog as it accepted it: fan-out need not check again.
    /// Sealed (by the platform's key, bound to the event's id, type and tenant), so that a bus publisher cannot skip the check by it.
    /// </summary>
    public const string Checked = "Webhooks-Event-Checked";

    private const string CheckedPurpose = "event-checked";

    /// <summary>The headers of an event message to carry on when it is sent again (to wait while Redis is away).</summary>
    public static readonly string[] CarriedOn = [Kept, EndpointsVersion, Checked];

    /// <summary><see cref="Checked"/>'s value for an event.</summary>
    public static string CheckedSeal(SecretsAtRest.SecretProtector protector, string eventId, string type, string tenant) =>
        protector.Seal(CheckedPurpose, $"{eventId}\n{type}\n{tenant}");

    /// <summary>Whether a message's <see cref="Checked"/> header is the platform's seal of this event.</summary>
    public static bool IsChecked(SecretsAtRest.SecretProtector protector, string eventId, string type, string tenant, string? header) =>
        header is not null && protector.IsSealed(CheckedPurpose, $"{eventId}\n{type}\n{tenant}", header);

    /// <summary>What <see cref="Kept"/> says when set.</summary>
    public const string KeptValue = "1";

    /// <summary>Whether a message's <see cref="Kept"/> header says Ingest kept its event.</summary>
    public static bool IsKept(string? header) => header == KeptValue;

    /// <summary><see cref="EndpointsVersion"/>'s value for a version.</summary>
    public static string VersionValue(long version) => version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The version a message's <see cref="EndpointsVersion"/> header says; null when it has none, or none that reads as one.</summary>
    public static long? VersionOf(string? header) =>
        long.TryParse(header, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) ? version : null;
}
