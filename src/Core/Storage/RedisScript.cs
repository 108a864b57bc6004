using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Webhooks.Core.Storage;

/// <summary>
/// A Lua script kept as a <c>.lua</c> file beside the store that runs it (an embedded resource of its assembly,
/// by file name), read once. A line <c>-- include NAME</c> is replaced by <c>NAME.lua</c> of this assembly's
/// shared pieces (<c>gcra</c>, <c>bounded-log</c>), so one algorithm is written once and each script stays one
/// round trip. StackExchange.Redis sends a script it has sent before by its SHA (EVALSHA).
/// </summary>
public sealed partial class RedisScript
{
    private static readonly ConcurrentDictionary<(Assembly, string), RedisScript> Loaded = new();

    private RedisScript(string name, string source) => (Name, Source) = (name, source);

    public string Name { get; }

    /// <summary>The script as Redis runs it, its includes in place.</summary>
    public string Source { get; }

    [GeneratedRegex(@"^-- include ([a-z0-9-]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Include();

    /// <summary>The script <paramref name="name"/><c>.lua</c> of <typeparamref name="TOwner"/>'s assembly.</summary>
    public static RedisScript Of<TOwner>(string name) => Load(typeof(TOwner).Assembly, name);

    public static RedisScript Load(Assembly assembly, string name) =>
        Loaded.GetOrAdd((assembly, name), key => new RedisScript(key.Item2, Include().Replace(Read(key.Item1, key.Item2), m => Read(typeof(RedisScript).Assembly, m.Groups[1].Value))));

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name + ".lua")
            ?? throw new InvalidOperationException($"No script {name}.lua in {assembly.GetName().Name} (an EmbeddedResource with its file name as LogicalName).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public Task<RedisResult> RunAsync(IDatabase db, RedisKey[] keys, RedisValue[]? args = null) => db.ScriptEvaluateAsync(Source, keys, args ?? []);
}
