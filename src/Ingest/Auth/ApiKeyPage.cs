namespace Webhooks.Ingest.Auth;

/// <summary>A page of API keys (never the keys themselves); <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record ApiKeyPage(IReadOnlyList<ApiKeyView> Data, string? NextAfter);
