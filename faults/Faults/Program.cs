using Webhooks.Faults;

// faults/run.sh starts private servers and passes them here; see docs/reliability.md.
var options = FaultOptions.Parse(args);
await using var subscribers = await Subscribers.StartAsync();
var runner = new FaultRunner(options, subscribers);
var rows = new List<Row>();
if (options.Only is { } only && Scenarios.All.All(s => s.Name != only))
{
    Console.Error.WriteLine($"No scenario is called {only}: {string.Join(", ", Scenarios.All.Select(s => s.Name))}.");
    return 2;
}
Console.WriteLine($"## Webhooks fault suite, {DateTime.UtcNow:u}, {Environment.ProcessorCount} cores, {options.Seconds} s of load per scenario");
foreach (var scenario in Scenarios.All.Where(s => options.Only is null || s.Name == options.Only))
{
    Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {scenario.Name}: {scenario.Fault}");
    var row = await runner.RunAsync(scenario);
    Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {scenario.Name}: {row.Summary}");
    rows.Add(row);
}
var table = Row.Table(rows);
Console.WriteLine(table);
if (options.Table is { } path)
{
    await Row.WriteIntoAsync(path, table);
}
// The promise: nothing accepted is lost. And every scenario ran its fault under real load, with no event
// whose fate is unknown (a request refused for a whole minute, given up by the publisher).
return rows.All(r => r.Outcome is { Lost: 0, Accepted: >= 100 } && r.GivenUp == 0 && r.Error is null) ? 0 : 1;
