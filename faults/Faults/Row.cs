using System.Globalization;
using System.Text;

namespace Webhooks.Faults;

/// <summary>One scenario's line of the table.</summary>
public sealed record Row(Scenario Scenario, Outcome? Outcome, IReadOnlyDictionary<string, int> Refusals, int GivenUp, string? Error)
{
    private const string Begin = "<!-- faults:table -->";
    private const string End = "<!-- /faults:table -->";

    public string Summary => Outcome is { } o
        ? $"{o.Accepted} accepted, {o.Delivered}/{o.Due} delivered, {o.DeadLetteredTotal} dead-lettered, {o.Lost} lost, {o.Redelivered + o.PublishedTwice} duplicates, drained {Drain(o)}{(Error is null ? "" : $"; {Error}")}"
        : $"did not run: {Error}";

    public static string Table(IReadOnlyList<Row> rows)
    {
        var table = new StringBuilder();
        table.AppendLine("| Scenario | Fault | Events accepted | Deliveries due | Delivered | Dead-lettered | **Lost** | Duplicates | Time to drain | Refused on the way (retried) |");
        table.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|---|");
        foreach (var row in rows)
        {
            if (row.Outcome is not { } o)
            {
                table.AppendLine(CultureInfo.InvariantCulture, $"| {row.Scenario.Name} | {row.Scenario.Fault} | did not run: {row.Error} | | | | | | | |");
                continue;
            }
            var deadLettered = o.DeadLetteredTotal == 0 ? "0" : $"{o.DeadLetteredTotal} ({string.Join(", ", o.DeadLettered.Select(r => $"{r.Key} {r.Value}"))})";
            var duplicates = o.Redelivered + o.PublishedTwice == 0 ? "0" : $"{o.Redelivered + o.PublishedTwice} ({o.Redelivered} redelivered, {o.PublishedTwice} published twice)";
            var refused = row.Refusals.Count == 0 ? "none" : string.Join(", ", row.Refusals.OrderByDescending(r => r.Value).Select(r => $"{r.Key} ×{r.Value}"));
            if (row.GivenUp > 0)
            {
                refused += $"; {row.GivenUp} given up";
            }
            if (o.NeverAcknowledged > 0)
            {
                refused += $"; {o.NeverAcknowledged} delivered though their 202 never arrived";
            }
            if (row.Error is not null)
            {
                refused += $"; {row.Error}";
            }
            table.AppendLine(CultureInfo.InvariantCulture, $"| {row.Scenario.Name} | {row.Scenario.Fault} | {o.Accepted} | {o.Due} | {o.Delivered} | {deadLettered} | **{o.Lost}** | {duplicates} | {Drain(o)} | {refused} |");
        }
        return table.ToString();
    }

    /// <summary>Puts the table in <paramref name="path"/> between its markers, leaving the rest of the page as it is.</summary>
    public static async Task WriteIntoAsync(string path, string table)
    {
        var page = await File.ReadAllTextAsync(path);
        var (begin, end) = (page.IndexOf(Begin, StringComparison.Ordinal), page.IndexOf(End, StringComparison.Ordinal));
        if (begin < 0 || end < begin)
        {
            throw new InvalidOperationException($"{path} has no {Begin} … {End} section for the table.");
        }
        await File.WriteAllTextAsync(path, page[..(begin + Begin.Length)] + "\n" + table + page[end..]);
    }

    private static string Drain(Outcome o) => o.Drained is { } d ? $"{d.TotalSeconds:F1} s" : "not drained";
}
