namespace Webhooks.Ingest.Endpoints;

public sealed record EndpointSecretView(string Secret, string? PreviousSecret, DateTimeOffset? PreviousSecretExpiresAt);
