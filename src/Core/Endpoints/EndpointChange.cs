namespace Webhooks.Core.Endpoints;

/// <summary>What came of a change to an endpoint, and the endpoint as it now is (null when it is gone).</summary>
public sealed record EndpointChange(ChangeOutcome Outcome, WebhookEndpoint? Endpoint);

public enum ChangeOutcome
{
    Changed,

    /// <summary>The change found nothing to do.</summary>
    Unchanged,

    /// <summary>The endpoint no longer has the version the writer asked for (an <c>If-Match</c> that does not match).</summary>
    Stale,
    Gone,
}
