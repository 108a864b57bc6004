using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Dispatcher.Deliveries;
using Webhooks.Signing;

namespace Webhooks.Bench;

/// <summary>
/// The baseline: what the same machine does with no platform at all — render and sign the same
/// body with the same code, and POST it straight to the same receiver.
/// </summary>
public sealed class RawSender : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    private readonly string _secret = WebhookSecret.Generate();

    /// <summary>A webhook's id and body as the platform renders it, for the event with this sequence number.</summary>
    public static (string Id, byte[] Body) Webhook(int sequence)
    {
        var id = SortableId.New("evt");
        var delivery = new DeliverWebhook
        {
            DeliveryId = SortableId.New("dlv"),
            EndpointId = "ep_raw",
            EventId = id,
            Type = "order.created",
            Tenant = "raw",
            OccurredAt = DateTimeOffset.UtcNow,
            Data = JsonSerializer.SerializeToElement(Platform.Data(sequence)),
        };
        return (id, WebhookPayload.Render(delivery, PayloadMode.Full));
    }

    /// <summary>The Standard Webhooks request for a body, signed now with <paramref name="secret"/> by the platform's own code.</summary>
    public static HttpRequestMessage SignedRequest(string url, string id, byte[] body, string secret)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Header([secret], id, timestamp, body));
        return request;
    }

    /// <summary>Sends one webhook and returns its id once the receiver answered.</summary>
    public async Task<string> SendAsync(string url, int sequence)
    {
        var (id, body) = Webhook(sequence);
        using var request = SignedRequest(url, id, body, _secret);
        using var response = await _http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return id;
    }

    /// <summary>Sends <paramref name="count"/> webhooks, <paramref name="concurrency"/> at a time; returns the seconds it took.</summary>
    public async Task<double> SendManyAsync(string url, int count, int concurrency)
    {
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) => await SendAsync(url, i));
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    public void Dispose() => _http.Dispose();
}
