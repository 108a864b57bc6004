using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Configuration;
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
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            throw new InvalidOperationException($"ConnectionStrings:RabbitMq must be an amqp:// or amqps:// URI, not '{connectionString}'.");
        }

        builder.Services.AddMassTransit(x =>
        {
            x.DisableUsageTelemetry();
            configure?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                var (user, password) = Credentials(uri);
                var vhost = uri.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : "/";
                cfg.Host(uri.Host, (ushort)(uri.IsDefaultPort ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port), vhost, h =>
                {
                    h.Username(user);
                    h.Password(password);
                    if (uri.Scheme == "amqps")
                    {
                        h.UseSsl(s => s.ServerName = uri.Host);
                    }
                });
                // Plain JSON is read beside MassTransit's envelope; the hops between our own hosts send it (SendAsPlainJson).
                cfg.AddRawJsonSerializer(PlainJson);
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

    private static (string User, string Password) Credentials(Uri uri)
    {
        if (string.IsNullOrEmpty(uri.UserInfo))
        {
            return ("guest", "guest");
        }
        var parts = uri.UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }
}
