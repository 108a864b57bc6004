using Webhooks.Ingest.Events;

namespace Webhooks.Ingest.Endpoints;

/// <summary>A page of an endpoint's attempts; <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record AttemptPage(IReadOnlyList<AttemptView> Data, string? NextAfter);
