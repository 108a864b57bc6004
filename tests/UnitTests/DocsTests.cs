using System.Text.RegularExpressions;

namespace Webhooks.UnitTests;

/// <summary>The docs point at files that exist: a concept's row in docs/architecture.md that names a moved file misleads its reader.</summary>
public sealed partial class DocsTests
{
    [Fact]
    public void Every_file_the_docs_link_to_exists()
    {
        var root = Repository.Root;
        var missing = Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md"))
            .SelectMany(doc => Link().Matches(File.ReadAllText(doc)).Select(m => (doc, target: m.Groups["target"].Value)))
            .Where(l => !l.target.Contains("://", StringComparison.Ordinal) && !l.target.StartsWith('#'))
            .Where(l => Path.Combine(Path.GetDirectoryName(l.doc)!, l.target.Split('#')[0]) is var path && !File.Exists(path) && !Directory.Exists(path))
            .Select(l => $"{Path.GetRelativePath(root, l.doc)} links to {l.target}")
            .ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void The_architecture_names_a_file_for_every_owner_of_state_and_every_project()
    {
        var architecture = File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md"));
        foreach (var section in new[] { "## Words", "## Where each concept lives", "## State by owner", "## Projects" })
        {
            Assert.Contains(section, architecture);
        }
        var projects = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.csproj", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension);
        Assert.All(projects, project => Assert.Contains($"`src/{project}`", architecture));
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex Link();
}
