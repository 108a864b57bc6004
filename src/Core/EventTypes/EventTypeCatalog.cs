using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core.Storage;

namespace Webhooks.Core.EventTypes;

/// <summary>
/// The event-type catalog in Redis (a hash of definitions and a version that moves on with every change), and each host's
/// compiled copy of it: <see cref="CurrentAsync"/> answers from the copy, and checks the version at most once every
/// <see cref="CatalogOptions.RefreshInterval"/> (one GET; the whole catalog is read and its schemas compiled again only when
/// the version moved). A host that changes the catalog drops its copy at once; the others follow within the interval.
/// </summary>
public sealed partial class EventTypeCatalog(RedisStorage storage, IOptions<CatalogOptions> options, TimeProvider clock, ILogger<EventTypeCatalog> logger)
{
    private static readonly RedisScript Change = RedisScript.Of<EventTypeCatalog>("event-types");
    private readonly IDatabase _db = storage.Database;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private CatalogSnapshot? _current;
    private long _checkedAt;

    // Moves on with each change this host makes: a refresh that began before it must not put back what it read then.
    private long _generation;

    public CatalogOptions Options => options.Value;

    /// <summary>The catalog as this host knows it (at most the refresh interval old).</summary>
    public ValueTask<CatalogSnapshot> CurrentAsync()
    {
        var current = Volatile.Read(ref _current);
        return current is not null && clock.GetElapsedTime(Volatile.Read(ref _checkedAt)) < options.Value.RefreshInterval
            ? new ValueTask<CatalogSnapshot>(current)
            : new ValueTask<CatalogSnapshot>(RefreshAsync(current));
    }

    private async Task<CatalogSnapshot> RefreshAsync(CatalogSnapshot? stale)
    {
        // One refresh at a time; meanwhile the others go on with the copy they have — unless the interval is zero,
        // which promises every check the catalog as it is now: then they wait for the refresh under way.
        if (stale is not null && options.Value.RefreshInterval > TimeSpan.Zero && !_refreshing.Wait(0))
        {
            return stale;
        }
        if (stale is null || options.Value.RefreshInterval == TimeSpan.Zero)
        {
            await _refreshing.WaitAsync();
        }
        try
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && current != stale && clock.GetElapsedTime(Volatile.Read(ref _checkedAt)) < options.Value.RefreshInterval)
            {
                return current;
            }
            var generation = Interlocked.Read(ref _generation);
            try
            {
                var version = (long?)await _db.StringGetAsync(RedisKeys.Catalog.Version) ?? 0;
                if (current is null || current.Version != version)
                {
                    current = CatalogSnapshot.Load(version, await ReadAllAsync(), (name, e) => LogUnreadable(e, name));
                }
            }
            catch (Exception e) when (current is not null && e is not OperationCanceledException)
            {
                // Redis away (or answering what cannot be read): the copy in hand goes on; a change made meanwhile applies once it is back.
                LogStale(e, current.Version);
            }
            if (Interlocked.Read(ref _generation) == generation)
            {
                Volatile.Write(ref _current, current);
                Volatile.Write(ref _checkedAt, clock.GetTimestamp());
            }
            return current;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>Every definition, by name, read now (one that cannot be read is logged and left out).</summary>
    public async Task<IReadOnlyList<EventTypeDefinition>> ReadAllAsync()
    {
        var definitions = new List<EventTypeDefinition>();
        foreach (var entry in await _db.HashGetAllAsync(RedisKeys.Catalog.EventTypes))
        {
            try
            {
                definitions.Add(Parse(entry.Value!));
            }
            catch (JsonException e)
            {
                LogUnreadable(e, entry.Name!);
            }
        }
        return [.. definitions.OrderBy(d => d.Name, StringComparer.Ordinal)];
    }

    /// <summary>One definition, read now; null when the catalog has no such type.</summary>
    public async Task<(EventTypeDefinition? Definition, string? Stored)> GetAsync(string name)
    {
        var value = (string?)await _db.HashGetAsync(RedisKeys.Catalog.EventTypes, name);
        return value is null ? (null, null) : (Parse(value), value);
    }

    /// <summary>
    /// Writes the changes, all or none: each says what its type must be now (<see cref="CatalogChange.Expected"/>: null absent,
    /// <see cref="CatalogChange.Anything"/>, or the stored JSON read before) and what it becomes (null: deleted). The name of
    /// the first that was not as expected when none was written, or null when all were.
    /// </summary>
    public async Task<string?> ChangeAsync(IReadOnlyList<CatalogChange> changes)
    {
        var args = new RedisValue[changes.Count * 3];
        for (var i = 0; i < changes.Count; i++)
        {
            args[i * 3] = changes[i].Name;
            args[i * 3 + 1] = changes[i].Expected ?? "";
            args[i * 3 + 2] = changes[i].Becomes is { } definition ? JsonSerializer.Serialize(definition, WebhooksJson.Options) : "";
        }
        var result = (RedisResult[])(await Change.RunAsync(_db, [RedisKeys.Catalog.EventTypes, RedisKeys.Catalog.Version], args))!;
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _checkedAt, 0);
        Volatile.Write(ref _current, null);
        return (long)result[0] == 0 ? (string)result[1]! : null;
    }

    private static EventTypeDefinition Parse(string json) =>
        JsonSerializer.Deserialize<EventTypeDefinition>(json, WebhooksJson.Options) ?? throw new InvalidOperationException("An event type is stored as null.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event-type catalog cannot be read; its copy at version {Version} goes on")]
    private partial void LogStale(Exception exception, long version);

    [LoggerMessage(Level = LogLevel.Error, Message = "The catalog's event type {Name} cannot be read, or its schema does not compile; its events are not checked until it is saved again")]
    private partial void LogUnreadable(Exception exception, string name);
}

/// <summary>One change to the catalog: <paramref name="Becomes"/> null deletes the type.</summary>
public sealed record CatalogChange(string Name, string? Expected, EventTypeDefinition? Becomes)
{
    public const string Anything = "*";
}

/// <summary>One type of a <see cref="CatalogSnapshot"/>: its definition and compiled schema (none when it has none).</summary>
public sealed record CatalogEntry(EventTypeDefinition Definition, EventSchema? Schema);

/// <summary>The catalog at one version, its schemas compiled.</summary>
public sealed class CatalogSnapshot
{
    private readonly Dictionary<string, CatalogEntry> _types;

    private CatalogSnapshot(long version, Dictionary<string, CatalogEntry> types) => (Version, _types) = (version, types);

    public long Version { get; }

    public int Count => _types.Count;

    public bool Contains(string type) => _types.ContainsKey(type);

    public CatalogEntry? Find(string type) => _types.GetValueOrDefault(type);

    /// <summary>Whether events of <paramref name="type"/> are checked: it has a schema and a mode other than off.</summary>
    public bool Checks(string type) => _types.TryGetValue(type, out var entry) && entry.Schema is not null && entry.Definition.Validation != SchemaValidation.Off;

    /// <summary>What the catalog says of an event of <paramref name="type"/>: its mode and where its data does not conform (none when it does, or is not checked).</summary>
    public (string Mode, IReadOnlyList<SchemaViolation> Violations) Check(string type, JsonElement? data) =>
        _types.TryGetValue(type, out var entry) && entry.Schema is { } schema && entry.Definition.Validation != SchemaValidation.Off
            ? (entry.Definition.Validation, schema.Check(data))
            : (SchemaValidation.Off, []);

    public static CatalogSnapshot Load(long version, IEnumerable<EventTypeDefinition> definitions, Action<string, Exception> unreadable)
    {
        var types = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            EventSchema? schema = null;
            try
            {
                schema = definition.Schema is { } given ? EventSchema.CompileSaved(given) : null;
            }
            catch (Exception e)
            {
                // Logged as an error; the type goes unchecked until it is saved again (docs/api.md).
                unreadable(definition.Name, e);
            }
            types[definition.Name] = new CatalogEntry(definition, schema);
        }
        return new CatalogSnapshot(version, types);
    }
}
