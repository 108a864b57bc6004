namespace Webhooks.ServiceDefaults;

/// <summary>The broker settings the hosts read while they run (<c>Webhooks:Broker</c>).</summary>
public sealed class BrokerOptions
{
    public const string Section = "Webhooks:Broker";

    /// <summary>
    /// How long a host waits for the broker to confirm what it sends while it handles a message or a request: a delivery
    /// sent to its lane, a retry to a delay tier, a dead letter, an operational event, a resend.
    /// </summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The broker did not confirm a send within <see cref="BrokerOptions.ConfirmTimeout"/>.</summary>
public sealed class BrokerUnconfirmedException(string message, Exception inner) : Exception(message, inner);

public static class BrokerConfirms
{
    /// <summary>
    /// Waits for <paramref name="sending"/> at most <see cref="BrokerOptions.ConfirmTimeout"/>. RabbitMQ.Client 7.2 may never
    /// end a publish whose confirm went with its connection (a cluster node killed: rabbitmq/rabbitmq-dotnet-client#1930), and
    /// MassTransit lets a receive endpoint consume again on a new channel only once every message in hand is done: one such
    /// publish held a dispatcher's delivery lane for 70 s. Bounded, the message in hand fails, unacknowledged, and comes back;
    /// what it sent may then arrive twice, which its consumer takes as the redelivery it is.
    /// </summary>
    public static async Task Confirmed(this Task sending, BrokerOptions broker)
    {
        try
        {
            await sending.WaitAsync(broker.ConfirmTimeout);
        }
        catch (TimeoutException e)
        {
            throw new BrokerUnconfirmedException($"RabbitMQ did not confirm a send within {broker.ConfirmTimeout.TotalSeconds} s.", e);
        }
    }
}
