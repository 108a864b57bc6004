namespace Webhooks.Dispatcher.Delivery;

public static class WebhookSenderRegistration
{
    /// <summary>The sender and its connection pools (see <see cref="DeliveryClients"/>).</summary>
    public static IHostApplicationBuilder AddWebhookSender(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<Core.Signing.DataLinkOptions>().BindConfiguration(Core.Signing.DataLinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DeliveryClients>();
        builder.Services.AddSingleton<WebhookSender>();
        return builder;
    }
}
