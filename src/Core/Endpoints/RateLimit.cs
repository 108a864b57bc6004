namespace Webhooks.Core.Endpoints;

public sealed record RateLimit(double PerSecond, int? Burst);
