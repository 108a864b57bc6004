namespace Webhooks.Ingest.Auth;

/// <summary>An API key as stored: never the key itself, only its SHA-256 and first characters.</summary>
public sealed record ApiKey
{
    public required string Id { get; init; }
    public required string Role { get; init; }
    public string? Tenant { get; init; }
    public string? Name { get; init; }
    public required string Hash { get; init; }

    /// <summary>The first characters of the key, to recognise it in a list.</summary>
    public required string Prefix { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}
