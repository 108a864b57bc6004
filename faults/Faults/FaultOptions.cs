namespace Webhooks.Faults;

/// <summary>What faults/run.sh passes: the servers it started and where things go.</summary>
public sealed record FaultOptions(
    string Broker,
    string BrokerManagement,
    string Cluster,
    string ClusterManagement,
    string Redis,
    string Control,
    string? Table,
    string? Only,
    int Seconds)
{
    public static FaultOptions Parse(string[] args)
    {
        string Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault()
            ?? throw new ArgumentException($"{name} is required (faults/run.sh passes it).");
        string? Optional(string name) => args.Contains(name) ? Value(name) : null;
        return new FaultOptions(
            Value("--broker"), Value("--broker-management"), Value("--cluster"), Value("--cluster-management"),
            Value("--redis"), Value("--control"), Optional("--table"), Optional("--only"),
            int.Parse(Optional("--seconds") ?? "16", System.Globalization.CultureInfo.InvariantCulture));
    }
}
