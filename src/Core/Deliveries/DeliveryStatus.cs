namespace Webhooks.Core.Deliveries;

/// <summary>Where one (event, endpoint) pair stands.</summary>
public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
    public const string DeadLettered = "dead_lettered";
}
