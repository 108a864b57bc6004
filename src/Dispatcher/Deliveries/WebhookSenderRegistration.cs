namespace Webhooks.Dispatcher.Deliveries;

public static class WebhookSenderRegistration
{
    /// <summary>The sender and its connection pools (see <see cref="DeliveryClients"/>).</summary>
    public static IHostApplicationBuilder AddWebhookSender(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Core.Events.DataLinkOptions>().BindConfiguration(Core.Events.DataLinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DeliveryClients>();
        builder.Services.AddSingleton<WebhookSender>();
        return builder;
    }
}
