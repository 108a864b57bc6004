using Microsoft.Extensions.Options;
using Webhooks.Core.Destinations;

namespace Webhooks.Dispatcher.Delivery;

public static class WebhookSenderRegistration
{
    /// <summary>One pooled handler for every delivery: no proxy, no redirects, a short connect timeout.</summary>
    public static IHostApplicationBuilder AddWebhookSender(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DispatcherOptions>>().Value;
            var handler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectTimeout = options.ConnectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                MaxResponseHeadersLength = 64,
                // Past what we read ourselves, an unread body closes the connection instead of being drained.
                MaxResponseDrainSize = 0,
                ConnectCallback = sp.GetRequiredService<GuardedConnector>().ConnectAsync,
            };
            return new WebhookSender(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan });
        });
        return builder;
    }
}
