using Webhooks.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
var run = LocalRun.Prepare();
var (rabbitMq, redis) = builder.AddBrokerAndStore(run);

var ingest = builder.AddProject<Projects.Ingest>("ingest")
    .WithWebhooksSettings(run, rabbitMq, redis)
    .WithEndpoint("http", e => e.IsProxied = false)
    .WithHttpHealthCheck("/readyz");
builder.AddProject<Projects.Dispatcher>("dispatcher")
    .WithWebhooksSettings(run, rabbitMq, redis)
    .WithReplicas(2)
    .WithHttpHealthCheck("/readyz");
builder.AddProject<Projects.Cli>("demo-receiver")
    .WithArgs("listen", "--port", "9000", "--register", "http://127.0.0.1:5080", "--api-key", run.AdminKey, "--tenant", "demo", "--log", run.ReceiverLog)
    .WaitFor(ingest);

using var app = builder.Build();
await app.RunAsync();
run.Cleanup();
