using Webhooks.Faults;

// faults/run.sh starts private servers and passes them here; see docs/reliability.md.
var options = FaultOptions.Parse(args);
await using var subscribers = await Subscribers.StartAsync();
var runner = new FaultRunner(options, subscribers);
var rows = new List<Row>();
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
// The promise: nothing accepted is lost, and every scenario ran its faults.
return rows.All(r => r.Outcome is { Lost: 0 } && r.Error is null) ? 0 : 1;
