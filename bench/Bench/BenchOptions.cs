namespace Webhooks.Bench;

/// <summary><c>--rabbitmq amqp://…</c> <c>--redis host:port</c> <c>[--quick]</c> <c>[--only throughput|latency|capped|fairness|processes]</c> <c>[--json path]</c> <c>[--runs N]</c> (the headline's runs, each at the full size: 3 unless <c>--quick</c>, which takes one of smaller numbers).</summary>
public sealed record BenchOptions(Uri RabbitMq, string Redis, bool Quick, string? Only, string Json, int? DeployedRuns = null)
{
    public bool Runs(string scenario) => Only is null || Only.Equals(scenario, StringComparison.OrdinalIgnoreCase);

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var rabbitMq = Value("--rabbitmq") ?? throw new ArgumentException("--rabbitmq amqp://guest:guest@127.0.0.1:5672/ is required (bench/run.sh passes its private server).");
        var redis = Value("--redis") ?? throw new ArgumentException("--redis 127.0.0.1:6379 is required.");
        return new BenchOptions(new Uri(rabbitMq), redis, args.Contains("--quick"), Value("--only"), Value("--json") ?? ".run/bench/latest.json",
            Value("--runs") is { } runs ? RunsOf(runs) : null);
    }

    private static int RunsOf(string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var runs) && runs >= 1 ? runs
            : throw new ArgumentException($"--runs takes a whole number of runs, 1 or more (not '{value}').");
}
