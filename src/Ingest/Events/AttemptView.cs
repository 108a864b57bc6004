using Webhooks.Core.Deliveries;

namespace Webhooks.Ingest.Events;

/// <summary>One attempt to deliver an event to an endpoint, as the API shows it.</summary>
public sealed record AttemptView(
    string DeliveryId,
    string EventId,
    string EndpointId,
    int Number,
    DateTimeOffset At,
    bool Succeeded,
    int? StatusCode,
    string? Error,
    string? ErrorDetail,
    double DurationMs,
    string? ResponseBody,
    string? TraceId,
    DateTimeOffset? NextAttemptAt,
    int? FinalNumber)
{
    public static AttemptView Of(DeliveryAttempt a) =>
        new(a.DeliveryId, a.EventId, a.EndpointId, a.Number, a.At, a.Succeeded, a.StatusCode, a.Error, a.ErrorDetail, a.DurationMs, a.ResponseBody, a.TraceId, a.NextAttemptAt, a.FinalNumber);
}
