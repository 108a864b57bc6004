namespace Webhooks.Ingest.Endpoints;

/// <summary>An endpoint's rate limit: requests a second, and how many may come at once.</summary>
public sealed record RateLimitView(double PerSecond, int? Burst);
