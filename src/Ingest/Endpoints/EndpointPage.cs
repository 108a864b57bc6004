namespace Webhooks.Ingest.Endpoints;

public sealed record EndpointPage(IReadOnlyList<EndpointView> Data, string? NextAfter);
