using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>
/// A subscriber that misbehaves on purpose, on 127.0.0.1: a 100 MB body, a body trickling one
/// byte a second, an endless body, a reset connection, and HTTPS with a certificate nobody trusts.
/// Beside <see cref="Subscriber"/> because these are answers at the socket (raw TCP) that a well-behaved
/// Kestrel handler cannot give.
/// </summary>
public sealed class HostileSubscriber : IAsyncDisposable
{
    public const long HugeBytes = 100L * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly System.Net.Sockets.TcpListener _raw = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private long _hugeBytesWritten;

    private HostileSubscriber(WebApplication app) => _app = app;

    /// <summary>A plain TCP server for the 100 MB body, so the count is what the kernel took, not what a framework accepted.</summary>
    public string Huge { get; private set; } = "";

    public string Http { get; private set; } = "";
    public string Https { get; private set; } = "";

    /// <summary>How much of the 100 MB body the dispatcher let the subscriber write before it hung up.</summary>
    public long HugeBytesWritten => Interlocked.Read(ref _hugeBytesWritten);

    public static async Task<HostileSubscriber> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        using var certificate = SelfSigned();
        var pfx = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(pfx));
        });
        var app = builder.Build();
        var hostile = new HostileSubscriber(app);
        var chunk = new byte[64 * 1024];
        app.MapPost("/trickle", async (HttpContext context) =>
        {
            context.Response.StatusCode = 200;
            try
            {
                for (var i = 0; i < 120; i++)
                {
                    await context.Response.Body.WriteAsync("x"u8.ToArray(), context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(TimeSpan.FromSeconds(1), context.RequestAborted); // the hostile behaviour itself: one byte a second
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
        });
        app.MapPost("/endless", async (HttpContext context) =>
        {
            context.Response.StatusCode = 503;
            try
            {
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
        });
        app.MapPost("/reset", (HttpContext context) => context.Abort());
        app.MapPost("/tls", () => Results.Ok());
        await app.StartAsync();
        hostile._raw.Start();
        hostile.Huge = $"http://127.0.0.1:{((IPEndPoint)hostile._raw.LocalEndpoint).Port}/huge";
        _ = hostile.ServeHugeAsync();
        hostile.Http = app.Urls.Single(u => u.StartsWith("http:", StringComparison.Ordinal));
        hostile.Https = app.Urls.Single(u => u.StartsWith("https:", StringComparison.Ordinal));
        return hostile;
    }

    private async Task ServeHugeAsync()
    {
        var chunk = new byte[16 * 1024];
        while (!_stop.IsCancellationRequested)
        {
            System.Net.Sockets.Socket client;
            try
            {
                client = await _raw.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    client.SendBufferSize = 16 * 1024;
                    try
                    {
                        var request = new byte[64 * 1024];
                        await client.ReceiveAsync(request);
                        await client.SendAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: {HugeBytes}\r\n\r\n"));
                        for (long sent = 0; sent < HugeBytes; sent += chunk.Length)
                        {
                            await client.SendAsync(chunk);
                            Interlocked.Add(ref _hugeBytesWritten, chunk.Length);
                        }
                    }
                    catch (System.Net.Sockets.SocketException)
                    {
                        // The dispatcher hung up: what it had not read is never sent.
                    }
                }
            });
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _raw.Stop();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
