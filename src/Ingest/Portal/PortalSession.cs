namespace Webhooks.Ingest.Portal;

/// <summary>
/// What a portal link grants, once opened: one tenant, until <see cref="ExpiresAt"/>, perhaps only reading,
/// perhaps only some of its endpoints (<see cref="Endpoints"/>; null: all of them).
/// </summary>
public sealed record PortalSession
{
    public required string Id { get; init; }
    public required string Tenant { get; init; }
    public bool ReadOnly { get; init; }
    public IReadOnlyList<string>? Endpoints { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Who made the link: the key's id, as the audit log names it.</summary>
    public string? CreatedBy { get; init; }
}

/// <summary>The body of <c>POST /v1/tenants/{tenant}/portal-sessions</c>.</summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record PortalSessionRequest(int? ExpiresInSeconds, bool? ReadOnly, IReadOnlyList<string>? Endpoints);

/// <summary>A new portal link: its one-time token, the Console's address that opens it, and until when.</summary>
public sealed record PortalLinkView(string Id, string Tenant, string Token, string? Url, DateTimeOffset ExpiresAt, bool ReadOnly, IReadOnlyList<string>? Endpoints);

/// <summary>The body of <c>POST /v1/portal-sessions/redeem</c>.</summary>
public sealed record PortalRedeemRequest(string? Token);

/// <summary>An opened link: the session key the Console keeps server-side, and what it grants.</summary>
public sealed record PortalSessionView(string Id, string Tenant, string SessionKey, DateTimeOffset ExpiresAt, bool ReadOnly, IReadOnlyList<string>? Endpoints);
