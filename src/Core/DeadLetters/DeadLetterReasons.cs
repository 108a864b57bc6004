namespace Webhooks.Core.DeadLetters;

/// <summary>Why a delivery was dead-lettered.</summary>
public static class DeadLetterReasons
{
    /// <summary>Every scheduled attempt failed.</summary>
    public const string Exhausted = "exhausted";

    /// <summary>The endpoint was disabled when the delivery was due.</summary>
    public const string EndpointDisabled = "endpoint_disabled";

    /// <summary>The endpoint no longer exists.</summary>
    public const string EndpointDeleted = "endpoint_deleted";

    /// <summary>The destination is refused by the SSRF guard.</summary>
    public const string BlockedDestination = "blocked_destination";

    /// <summary>The endpoint's signing secret was encrypted with a key this dispatcher does not hold; redrive once the key ring has it.</summary>
    public const string SecretUnreadable = "secret_unreadable";

    /// <summary>A bus-published event failed validation.</summary>
    public const string InvalidEvent = "invalid_event";

    public static readonly IReadOnlyList<string> All = [Exhausted, EndpointDisabled, EndpointDeleted, BlockedDestination, SecretUnreadable, InvalidEvent];
}
