using System.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Webhooks.Signing;

namespace Webhooks.Bench;

/// <summary>
/// The baseline that matters: a bare one-hop pipeline on the same broker and receiver. RabbitMQ.Client
/// publishes each webhook's body with publisher confirms to a quorum queue; a bare consumer with
/// manual acks and the platform's prefetch and concurrency signs each body with the same code and
/// POSTs it to the same receiver, then acks. No store, no fan-out, no limits, no records.
/// </summary>
public sealed class BarePipeline : IAsyncDisposable
{
    public const string Queue = "bench-bare-pipeline";

    private readonly IConnection _connection;
    private readonly IChannel _consumer;
    private readonly IChannel _publisher;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    private readonly string _secret = WebhookSecret.Generate();
    private string _url = "";
    private int _acked;
    private int _expected = int.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BarePipeline(IConnection connection, IChannel consumer, IChannel publisher)
    {
        _connection = connection;
        _consumer = consumer;
        _publisher = publisher;
    }

    /// <summary>Declares the queue and starts the consumer: <paramref name="prefetch"/> unacked, <paramref name="concurrency"/> POSTs at a time.</summary>
    public static async Task<BarePipeline> StartAsync(Uri rabbitMq, int prefetch, int concurrency)
    {
        var connection = await new ConnectionFactory { Uri = rabbitMq, ClientProvidedName = "bench-bare" }.CreateConnectionAsync();
        var consumer = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: (ushort)concurrency));
        var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await consumer.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await consumer.QueuePurgeAsync(Queue);
        await consumer.BasicQosAsync(0, (ushort)prefetch, false);
        var pipeline = new BarePipeline(connection, consumer, publisher);
        var handler = new AsyncEventingBasicConsumer(consumer);
        handler.ReceivedAsync += pipeline.DeliverAsync;
        await consumer.BasicConsumeAsync(Queue, autoAck: false, handler);
        return pipeline;
    }

    /// <summary>Publishes <paramref name="bodies"/>, <paramref name="publishers"/> confirmed publishes at a time, to be POSTed to <paramref name="url"/>; returns once all are published.</summary>
    public async Task PublishAsync(string url, IReadOnlyList<(string Id, byte[] Body)> bodies, int publishers)
    {
        _url = url;
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = publishers }, async (webhook, cancellationToken) =>
        {
            var properties = new BasicProperties { Persistent = true, MessageId = webhook.Id, ContentType = "application/json" };
            await _publisher.BasicPublishAsync("", Queue, mandatory: true, properties, webhook.Body, cancellationToken);
        });
    }

    private async Task DeliverAsync(object sender, BasicDeliverEventArgs message)
    {
        using var request = RawSender.SignedRequest(_url, message.BasicProperties.MessageId!, message.Body.ToArray(), _secret);
        using var response = await _http.SendAsync(request);
        await _consumer.BasicAckAsync(message.DeliveryTag, multiple: false);
        if (Interlocked.Increment(ref _acked) == Volatile.Read(ref _expected))
        {
            _done.TrySetResult();
        }
    }

    /// <summary>Publishes <paramref name="bodies"/> to be POSTed to <paramref name="url"/> and waits until each was answered and acknowledged; returns the seconds that took.</summary>
    private async Task<double> PublishAndWaitAsync(string url, IReadOnlyList<(string Id, byte[] Body)> bodies)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _acked, 0);
        Volatile.Write(ref _expected, bodies.Count);
        var start = Stopwatch.GetTimestamp();
        await PublishAsync(url, bodies, Scenarios.Throughput.BarePublishers);
        await _done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>
    /// Runs as a process of its own (<c>Webhooks.Bench.dll bare AMQP-URI URL COUNT</c>), as the platform's hosts run in the
    /// headline table: warms up (half as many webhooks, at least 1,000) until its JIT settles, says <c>warm</c> and waits for a line on stdin, then sends COUNT webhooks to URL and prints
    /// the seconds from the first publish to the last one answered, and the CPU seconds this process spent on them (JSON).
    /// </summary>
    public static async Task RunAsProcessAsync(string[] args)
    {
        var (rabbitMq, url, count) = (new Uri(args[1]), args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        await using var bare = await StartAsync(rabbitMq, Scenarios.Throughput.Prefetch, Scenarios.Throughput.Concurrency);
        // Warm (JIT and its later tiers, connections, pools), as the platform's processes are before they are measured.
        await bare.PublishAndWaitAsync(url + "-warm-up", [.. Enumerable.Range(0, Math.Max(count / 2, 1000)).Select(RawSender.Webhook)]);
        var bodies = Enumerable.Range(0, count).Select(RawSender.Webhook).ToList();
        await ProcessStats.SettleAsync([Environment.ProcessId], TimeSpan.FromSeconds(30));
        // Warm and ready: the bench reads the other processes' CPU, then says go.
        Console.WriteLine("warm");
        await Console.In.ReadLineAsync();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var seconds = await bare.PublishAndWaitAsync(url, bodies);
        Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new BareRun(seconds, (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds)));
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.CloseAsync();
        await _consumer.CloseAsync();
        await _connection.CloseAsync();
        _http.Dispose();
    }

    /// <summary>Runs <paramref name="count"/> webhooks through the pipeline to <paramref name="receiver"/>'s <paramref name="path"/>; returns the seconds from the first publish to the last arrival.</summary>
    public async Task<double> RunAsync(Receiver receiver, string path, int count, int publishers)
    {
        var bodies = Enumerable.Range(0, count).Select(i => RawSender.Webhook(i)).ToList();
        var start = Stopwatch.GetTimestamp();
        await PublishAsync(receiver.Path(path), bodies, publishers);
        await receiver.WaitForAsync(path, count, TimeSpan.FromMinutes(10));
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

/// <summary>What a run of the bare pipeline as a process took: seconds, and CPU seconds of its own process.</summary>
public sealed record BareRun(double Seconds, double CpuSeconds);
