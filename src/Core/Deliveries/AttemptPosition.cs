namespace Webhooks.Core.Deliveries;

/// <summary>Names one attempt in a log: its delivery, number and time (a redriven delivery numbers its attempts anew).</summary>
public sealed record AttemptPosition(string DeliveryId, int Number, long AtTicks)
{
    public static AttemptPosition Of(DeliveryAttempt attempt) => new(attempt.DeliveryId, attempt.Number, attempt.At.UtcTicks);

    public bool Names(DeliveryAttempt attempt) => attempt.DeliveryId == DeliveryId && attempt.Number == Number && attempt.At.UtcTicks == AtTicks;
}
