using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Webhooks.ServiceDefaults;

public static class BusRegistration
{
    /// <summary>
    /// MassTransit on RabbitMQ (<c>ConnectionStrings:RabbitMq</c>); <paramref name="configure"/> adds
    /// consumers, <paramref name="endpoints"/> receive endpoints configured by hand.
    /// </summary>
    public static IHostApplicationBuilder AddWebhooksBus(this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IRabbitMqBusFactoryConfigurator>? endpoints = null)
    {
        var connectionString = builder.Configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set (for example amqp://guest:guest@127.0.0.1:5672/).");
        BrokerAddress broker;
        try
        {
            broker = BrokerAddress.Parse(connectionString);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }

        // Unset, the broker's (60 s on RabbitMQ): a host frozen twice that long loses its connection, and
        // its unacknowledged messages go to the others.
        var heartbeat = builder.Configuration.GetValue<TimeSpan?>("Webhooks:Broker:Heartbeat");
        // Parsed once: the topology declaration and the queue sampler connect with it too.
        builder.Services.AddSingleton(broker);
        builder.Services.AddOptions<BrokerOptions>().BindConfiguration(BrokerOptions.Section)
            .Validate(o => o.ConfirmTimeout > TimeSpan.Zero, $"{BrokerOptions.Section}:ConfirmTimeout must be positive.").ValidateOnStart();

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            configure?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                var first = broker.Nodes[0];
                cfg.Host(first.Host, (ushort)first.Port, broker.VirtualHost, h =>
                {
                    h.Username(broker.User);
                    h.Password(broker.Password);
                    if (heartbeat is { } interval)
                    {
                        h.Heartbeat(interval);
                    }
                    if (broker.Tls)
                    {
                        h.UseSsl(s => s.ServerName = first.Host);
                    }
                    if (broker.Nodes.Count > 1)
                    {
                        // A cluster: connect to the first node that answers, and to another when it goes.
                        h.UseCluster(cluster =>
                        {
                            foreach (var node in broker.Nodes)
                            {
                                cluster.Node(node.ToString());
                            }
                        });
                    }
                });
                // Plain JSON is read beside MassTransit's envelope; the hops between our own hosts send it (SendAsPlainJson).
                var plainJson = new PlainJsonSerializer.Factory(PlainJson);
                cfg.AddSerializer(plainJson, false);
                cfg.AddDeserializer(plainJson);
                // Compact JSON: MassTransit writes it indented by default, a third of a small event's bytes.
                cfg.ConfigureJsonSerializerOptions(options =>
                {
                    options.WriteIndented = false;
                    return options;
                });
                endpoints?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }

    /// <summary>
    /// Sends <typeparamref name="T"/> as plain JSON with MassTransit's headers on the transport: no envelope to
    /// write and parse on every hop (it cost a fifth of the delivery throughput). For messages between our own
    /// hosts only; announcements meant for any MassTransit consumer keep the envelope every bus reads.
    /// </summary>
    public static void SendAsPlainJson<T>(this IBusFactoryConfigurator bus) where T : class =>
        bus.Send<T>(s => s.UseSerializer(SystemTextJsonRawMessageSerializer.JsonContentType));

    private const RawSerializerOptions PlainJson = RawSerializerOptions.AnyMessageType | RawSerializerOptions.AddTransportHeaders;
}
