using Webhooks.Bench;
using Webhooks.Bench.Scenarios;

// bench/run.sh starts private servers and passes them here; see bench/README.md. The bench also runs its receiver
// and the bare pipeline as processes of their own (the headline table): those are these roles.
if (args is ["receiver", var port])
{
    await Receiver.RunAsProcessAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}
if (args is ["bare", ..])
{
    await BarePipeline.RunAsProcessAsync(args);
    return 0;
}
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    // A bad option says which and why, without a stack trace.
    Console.Error.WriteLine(e.Message);
    return 64;
}
await using var receiver = await Receiver.StartAsync();
await using var platform = await Platform.StartAsync(options.RabbitMq, options.Redis);
using var raw = new RawSender();
using var counters = await Counters.ConnectAsync(options.Redis, options.RabbitMq);
var report = new Report(Console.Out);
var started = DateTime.UtcNow;
Console.WriteLine($"## Webhooks benchmark ({(options.Quick ? "quick" : "full")}), {started:u}, {Environment.ProcessorCount} cores");

// Warm-up: JIT, connections, pools; not reported.
await raw.SendManyAsync(receiver.Path("warm-up-raw"), 200, 16);
await platform.CreateEndpointAsync("warm-up", receiver.Path("warm-up"));
await Latency.PublishOneByOneAsync(platform, receiver, "warm-up", 50, TimeSpan.Zero);

if (options.Runs("deployed"))
{
    await Deployed.RunAsync(platform, counters, options, report);
}
double? bareRate = null;
if (options.Runs("throughput"))
{
    var (bare, maximum) = await Throughput.RunAsync(platform, receiver, raw, counters, options.Quick ? 2_000 : 10_000, report);
    bareRate = bare;
    await Latency.UnderLoadAsync(platform, receiver, maximum / 2, options.Quick ? 3 : 10, report);
}
if (options.Runs("latency"))
{
    await Latency.RunAsync(platform, receiver, raw, options.Quick ? 50 : 200, report);
}
if (options.Runs("capped"))
{
    await CappedBacklog.RunAsync(platform, receiver, options.Quick ? 1_000 : 3_000, report);
}
if (options.Runs("fairness"))
{
    await Fairness.RunAsync(platform, receiver, options.Quick ? 2_000 : 10_000, options.Quick ? 20 : 50, report);
}
if (options.Runs("scale-out"))
{
    await ScaleOut.RunAsync(platform, options, report);
}
if (options.Runs("processes"))
{
    if (bareRate is null)
    {
        await using var bare = await BarePipeline.StartAsync(options.RabbitMq, Throughput.Prefetch, Throughput.Concurrency);
        bareRate = 5_000 / await bare.RunAsync(receiver, "bare-processes", 5_000, Throughput.BarePublishers);
    }
    await Processes.RunAsync(platform, receiver, bareRate.Value, options.Quick ? 2_000 : 10_000, options.Quick ? [1, 2] : [1, 2, 4], report, options.RabbitMq, options.Redis);
}
await report.WriteJsonAsync(options.Json, new { started, quick = options.Quick, cores = Environment.ProcessorCount, only = options.Only });
return 0;
