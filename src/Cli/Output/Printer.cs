using System.Text.Json;
using Spectre.Console;

namespace Webhooks.Cli.Output;

/// <summary>What a command prints: tables for people, or the API's JSON as it came with <c>--json</c> (for scripts).</summary>
public sealed class Printer(bool json)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly IAnsiConsole _console = CreateConsole();

    public bool Json { get; } = json;

    private static IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            // Piped or captured: no line is wrapped to a terminal's width.
            console.Profile.Width = 400;
        }
        return console;
    }

    /// <summary>Prints <paramref name="value"/> as JSON with <c>--json</c>, else runs <paramref name="forPeople"/>.</summary>
    public void Show(JsonElement value, Action forPeople)
    {
        if (Json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(value, Indented));
            return;
        }
        forPeople();
    }

    public void Show<T>(T value, Action forPeople) => Show(JsonSerializer.SerializeToElement(value, new JsonSerializerOptions(JsonSerializerDefaults.Web)), forPeople);

    public void Table(string[] headers, IEnumerable<string?[]> rows, string? empty = null)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            _console.MarkupLine($"[grey]{Markup.Escape(empty ?? "Nothing.")}[/]");
            return;
        }
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)).NoWrap());
        }
        foreach (var row in list)
        {
            table.AddRow([.. row.Select(cell => Markup.Escape(cell ?? "–"))]);
        }
        _console.Write(table);
    }

    /// <summary>One thing's fields, a line each.</summary>
    public void Fields(params (string Name, string? Value)[] fields)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var (name, value) in fields)
        {
            grid.AddRow(new Text(name, new Style(Color.Grey)), new Text(value ?? "–"));
        }
        _console.Write(grid);
    }

    public void Line(string text) => _console.WriteLine(text);

    public void Heading(string text) => _console.MarkupLine($"[bold]{Markup.Escape(text)}[/]");
}

/// <summary>Reading the API's JSON for tables.</summary>
public static class JsonText
{
    /// <summary>A property as text ("–" when missing or null).</summary>
    public static string? Text(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
            _ => value.GetRawText(),
        } : null;

    /// <summary>A time property as the local reader wants it: UTC, to the second.</summary>
    public static string? Time(this JsonElement element, string name) =>
        element.Text(name) is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var at) ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'") : null;
}
