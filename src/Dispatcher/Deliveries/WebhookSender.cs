using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Webhooks.Contracts;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Destinations;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Signing;

namespace Webhooks.Dispatcher.Deliveries;

/// <summary>
/// Sends the Standard Webhooks request: signed, with the endpoint's own timeout, no redirects
/// followed (a 3xx is a failure) and a bounded read of the response, kept unless it came from a
/// private destination that the allow-list opens without <c>keep-bodies</c>.
/// </summary>
public sealed class WebhookSender(DeliveryClients clients, Microsoft.Extensions.Options.IOptions<DataLinkOptions> links, Microsoft.Extensions.Options.IOptions<Core.Storage.StorageOptions> storage)
{
    public const string BlockedDestination = "blocked_destination";
    public const int KeptResponseBytes = 4 * 1024;
    public const int DrainedResponseBytes = 64 * 1024;

    private static readonly ProductInfoHeaderValue UserAgent = new("Webhooks", typeof(WebhookSender).Assembly.GetName().Version?.ToString(3) ?? "0");
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>A thin delivery's link to its event's data, signed with the endpoint's current secret; none without data or for a full payload.</summary>
    private string? DataLinkFor(WebhookEndpoint endpoint, DeliverWebhook delivery, DateTimeOffset now)
    {
        if (endpoint.Payload != PayloadMode.Thin || delivery.Data is not { ValueKind: JsonValueKind.Object })
        {
            return null;
        }
        var lifetime = links.Value.Lifetime < storage.Value.EventRetention ? links.Value.Lifetime : storage.Value.EventRetention;
        return DataLink.For(links.Value.BaseUrl, delivery.EventId, endpoint.Id, endpoint.Secret, now + lifetime);
    }

    /// <summary>One attempt; <paramref name="gate"/> (a rate-limited endpoint's) holds the request to its turn as it begins.</summary>
    public async Task<SendResult> SendAsync(WebhookEndpoint endpoint, DeliverWebhook delivery, CancellationToken cancellationToken, RateLimiting.StartGate? gate = null)
    {
        var now = DateTimeOffset.UtcNow;
        var body = WebhookPayload.Render(delivery, endpoint.Payload, DataLinkFor(endpoint, delivery, now));
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        foreach (var (name, value) in endpoint.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Add("webhook-id", delivery.EventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Header(endpoint.SigningSecrets(now), delivery.EventId, timestamp, body));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(endpoint.TimeoutSeconds));
        var started = Stopwatch.GetTimestamp();
        var client = clients.For(endpoint.Tenant);
        // For this request alone: the change stays within this method's flow.
        RateLimiting.StartGate.Carried = gate;
        try
        {
            using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var url = request.RequestUri!;
            var responseBody = await ReadBoundedAsync(response, client.Connector.KeepsBodiesFrom(url.IdnHost, url.Port), timeout.Token);
            return new SendResult((int)response.StatusCode, null, Stopwatch.GetElapsedTime(started), responseBody, RetryAfter(response, now));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(null, "timeout", Stopwatch.GetElapsedTime(started), null, ErrorDetail: $"no complete answer within the endpoint's timeout of {endpoint.TimeoutSeconds} s");
        }
        catch (HttpRequestException e) when (LateStart(e) is { } late)
        {
            return new SendResult(null, null, Stopwatch.GetElapsedTime(started), null) { NotSentFor = late.Turn };
        }
        catch (HttpRequestException e) when (e.InnerException is BlockedDestinationException)
        {
            return new SendResult(null, BlockedDestination, Stopwatch.GetElapsedTime(started), null, ErrorDetail: "the host resolves only to addresses the SSRF guard refuses");
        }
        catch (HttpRequestException e)
        {
            var error = e.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "dns_failure",
                HttpRequestError.ConnectionError => "connection_failed",
                HttpRequestError.SecureConnectionError => "tls_error",
                HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded => "invalid_response",
                _ => "network_error",
            };
            return new SendResult(null, error, Stopwatch.GetElapsedTime(started), null, ErrorDetail: Describe(e));
        }
    }

    private static RateLimiting.LateStartException? LateStart(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is RateLimiting.LateStartException late)
            {
                return late;
            }
        }
        return null;
    }

    /// <summary>What went wrong below HTTP, in a few words: refused, timed out connecting, unreachable, the name not found, the certificate untrusted.</summary>
    private static string Describe(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case System.Net.Sockets.SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        System.Net.Sockets.SocketError.ConnectionRefused => "connection refused: nothing listens on that port",
                        System.Net.Sockets.SocketError.TimedOut => "timed out connecting",
                        System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.NetworkUnreachable => "host unreachable",
                        System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData => "DNS: the name does not resolve",
                        System.Net.Sockets.SocketError.ConnectionReset => "connection reset by the endpoint",
                        var code => $"socket error {code}",
                    };
                case System.Security.Authentication.AuthenticationException tls:
                    return $"TLS: {tls.Message}";
                case TimeoutException or TaskCanceledException:
                    return "timed out connecting";
            }
        }
        return e.Message;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - now,
        _ => null,
    };

    /// <summary>
    /// Keeps the first bytes for the attempts log and drains a little more so the connection can be
    /// reused; a body that has not arrived when the endpoint's timeout ends makes the attempt a timeout.
    /// </summary>
    /// <summary>
    /// What is kept of a response body: its text with control characters (but tabs and line breaks)
    /// replaced, cut so that it stays within twice <see cref="KeptResponseBytes"/> once escaped in the
    /// attempt record (4 KiB of control bytes used to take 24 KB there).
    /// </summary>
    public static string KeptBody(ReadOnlySpan<byte> body)
    {
        var chars = Encoding.UTF8.GetString(body).ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) && chars[i] is not ('\t' or '\n' or '\r'))
            {
                chars[i] = '\uFFFD';
            }
        }
        var text = new string(chars);
        while (JsonEncodedText.Encode(text).EncodedUtf8Bytes.Length > 2 * KeptResponseBytes)
        {
            text = text[..(text.Length * 3 / 4)];
        }
        return text;
    }

    private static async Task<string?> ReadBoundedAsync(HttpResponseMessage response, bool keep, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[KeptResponseBytes];
            var kept = 0;
            int read;
            while (kept < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(kept), cancellationToken)) > 0)
            {
                kept += read;
            }
            var drained = kept;
            var scratch = new byte[8 * 1024];
            while (drained < DrainedResponseBytes && (read = await stream.ReadAsync(scratch, cancellationToken)) > 0)
            {
                drained += read;
            }
            return kept == 0 || !keep ? null : KeptBody(buffer.AsSpan(0, kept));
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return null; // the status line is what counts; a body cut short is not kept
        }
    }
}
