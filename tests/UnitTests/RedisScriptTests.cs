using System.Reflection;
using Webhooks.Core.Storage;

namespace Webhooks.UnitTests;

/// <summary>The Redis scripts are .lua files, each loaded with its includes; no C# file holds Lua.</summary>
public sealed class RedisScriptTests
{
    private static readonly Assembly[] Hosts = [typeof(RedisStorage).Assembly, typeof(Webhooks.Ingest.IngestApplication).Assembly, typeof(Webhooks.Dispatcher.DispatcherApplication).Assembly];

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.lua", SearchOption.AllDirectories))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Every_script_file_is_embedded_and_its_includes_are_resolved(string name)
    {
        var assembly = Hosts.Single(a => a.GetManifestResourceNames().Contains(name + ".lua"));
        var script = RedisScript.Load(assembly, name);

        Assert.DoesNotMatch(new System.Text.RegularExpressions.Regex(@"^-- include [a-z0-9-]+\s*$", System.Text.RegularExpressions.RegexOptions.Multiline), script.Source);
        Assert.Contains("redis.call", script.Source);
    }

    [Fact]
    public void The_gcra_is_written_once_and_included_where_a_cell_is_kept()
    {
        var cell = RedisScript.Load(typeof(RedisStorage).Assembly, "gcra-cell").Source;
        var quota = RedisScript.Load(typeof(RedisStorage).Assembly, "tenant-quota").Source;

        Assert.Contains("local function gcra_take", cell);
        Assert.Contains("local function gcra_take", quota);
        var files = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.lua", SearchOption.AllDirectories);
        Assert.Single(files, f => File.ReadAllText(f).Contains("redis.call('TIME')", StringComparison.Ordinal) && File.ReadAllText(f).Contains("tat", StringComparison.Ordinal));
    }

    [Fact]
    public void No_csharp_file_holds_lua()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && File.ReadAllText(f).Contains("redis.call", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(offenders);
    }
}
