using Webhooks.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var run = LocalRun.Prepare();
var (rabbitMq, redis) = builder.AddBrokerAndStore(run);

var ingest = builder.AddProject<Projects.Ingest>("ingest")
    .WithWebhooksSettings(run, rabbitMq, redis)
    .WithEnvironment("Webhooks__Portal__ConsoleUrl", "http://127.0.0.1:5090/")
    .WithEndpoint("http", e => e.IsProxied = false)
    .WithHttpHealthCheck("/readyz");
// Two dispatchers, each on a port of its own, so that each one's /metrics can be read (replicas would share one port, answering in turn).
foreach (var (name, port) in new[] { ("dispatcher-1", 5081), ("dispatcher-2", 5082) })
{
    builder.AddProject<Projects.Dispatcher>(name)
        .WithWebhooksSettings(run, rabbitMq, redis)
        .WithEndpoint("http", e => (e.Port, e.IsProxied) = (port, false))
        .WithHttpHealthCheck("/readyz");
}
// The console talks to Ingest's API alone, as the CLI does.
builder.AddProject<Projects.Console>("console")
    .WithEnvironment("Webhooks__Console__IngestUrl", "http://127.0.0.1:5080")
    .WithEnvironment("Webhooks__Console__TraceUrl", "http://127.0.0.1:18888/traces/detail/{traceId}")
    .WithEndpoint("http", e => e.IsProxied = false)
    .WithHttpHealthCheck("/healthz")
    .WaitFor(ingest);
builder.AddProject<Projects.Cli>("demo-receiver")
    .WithArgs("listen", "--port", "9000", "--register", "http://127.0.0.1:5080", "--api-key", run.AdminKey, "--tenant", "demo", "--log", run.ReceiverLog)
    .WaitFor(ingest);

using var app = builder.Build();
await app.RunAsync();
run.Cleanup();
