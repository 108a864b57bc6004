namespace Webhooks.Bench;

/// <summary>The results as Markdown, printed as they come.</summary>
public sealed class Report(TextWriter output)
{
    public void Section(string title)
    {
        output.WriteLine();
        output.WriteLine($"### {title}");
        output.WriteLine();
        output.WriteLine("| measure | result |");
        output.WriteLine("|---|---|");
    }

    public void Row(string measure, string result) => output.WriteLine($"| {measure} | {result} |");
}
