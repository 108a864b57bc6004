using System.Text.Json;

namespace Webhooks.Bench;

/// <summary>The results as Markdown, printed as they come, and as JSON (every row, plus named figures) written at the end.</summary>
public sealed class Report(TextWriter output)
{
    private readonly List<Dictionary<string, object>> _sections = [];
    private Dictionary<string, object>? _section;

    public void Section(string title)
    {
        output.WriteLine();
        output.WriteLine($"### {title}");
        output.WriteLine();
        output.WriteLine("| measure | result |");
        output.WriteLine("|---|---|");
        _section = new Dictionary<string, object> { ["title"] = title, ["rows"] = new List<object>(), ["figures"] = new Dictionary<string, double>() };
        _sections.Add(_section);
    }

    public void Row(string measure, string result)
    {
        output.WriteLine($"| {measure} | {result} |");
        ((List<object>)_section!["rows"]).Add(new { measure, result });
    }

    /// <summary>A number for the JSON results, under <paramref name="name"/> in the current section.</summary>
    public void Figure(string name, double value) => ((Dictionary<string, double>)_section!["figures"])[name] = Math.Round(value, 4);

    public async Task WriteJsonAsync(string path, object run)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(new { run, sections = _sections }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    }
}
