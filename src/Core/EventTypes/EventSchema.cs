using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Webhooks.Core.EventTypes;

/// <summary>
/// The JSON Schema (draft 2020-12) of an event type's <c>data</c>, compiled once when the catalog is read. Checked when it is
/// saved: valid against the draft's meta-schema, at most <see cref="MaxBytes"/> and <see cref="MaxDepth"/> levels, and
/// self-contained — every <c>$ref</c> points into the schema itself (<c>#</c>, <c>#/$defs/…</c> or an <c>$anchor</c>),
/// nothing is ever fetched, and nothing but the root has an <c>$id</c>. An event without data is checked as <c>{}</c>.
/// </summary>
public sealed class EventSchema
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDepth = 32;

    /// <summary>How many failing places an answer lists, at most (the first ones found).</summary>
    public const int MaxViolations = 20;

    private const string Draft202012 = "https://json-schema.org/draft/2020-12/schema";
    private static readonly EvaluationOptions Flag = new() { OutputFormat = OutputFormat.Flag };
    private static readonly EvaluationOptions List = new() { OutputFormat = OutputFormat.List };
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly JsonSchema _schema;

    private EventSchema(JsonSchema schema) => _schema = schema;

    /// <summary>Where and why <paramref name="data"/> does not conform; empty when it does.</summary>
    public IReadOnlyList<SchemaViolation> Check(JsonElement? data)
    {
        var instance = data is { ValueKind: JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } given ? given : EmptyObject;
        EvaluationResults results;
        try
        {
            if (_schema.Evaluate(instance, Flag).IsValid)
            {
                return [];
            }
            results = _schema.Evaluate(instance, List);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // What the checks at saving did not foresee: said as the reason, never a failure of the request.
            return [new SchemaViolation("/data", $"The type's schema could not be applied to this data: {e.Message}")];
        }
        var violations = new List<SchemaViolation>();
        foreach (var detail in results.Details ?? [])
        {
            foreach (var (keyword, message) in detail.Errors ?? new Dictionary<string, string>())
            {
                if (violations.Count < MaxViolations)
                {
                    violations.Add(new SchemaViolation("/data" + detail.InstanceLocation, $"{message} ({keyword})"));
                }
            }
        }
        return violations.Count > 0 ? violations : [new SchemaViolation("/data", "The data does not conform to the schema.")];
    }

    /// <summary>Compiles a schema; null with the reasons in <paramref name="errors"/> when it is not one this catalog keeps.</summary>
    public static EventSchema? Compile(JsonElement schema, out List<string> errors)
    {
        errors = [];
        if (System.Text.Encoding.UTF8.GetByteCount(schema.GetRawText()) > MaxBytes)
        {
            errors.Add($"The schema is larger than {MaxBytes / 1024} KiB.");
            return null;
        }
        if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add("A schema is a JSON object (or true or false).");
            return null;
        }
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$schema", out var dialect) && dialect.ValueKind == JsonValueKind.String
            && dialect.GetString()!.TrimEnd('#') != Draft202012)
        {
            errors.Add($"'$schema' names '{dialect.GetString()}': this catalog keeps draft 2020-12 ('{Draft202012}'), or leave '$schema' out.");
            return null;
        }
        new Structure(schema, errors).Check();
        if (errors.Count > 0)
        {
            return null;
        }
        var meta = MetaSchemas.Draft202012.Evaluate(schema, List);
        if (!meta.IsValid)
        {
            foreach (var detail in meta.Details ?? [])
            {
                foreach (var (_, message) in detail.Errors ?? new Dictionary<string, string>())
                {
                    errors.Add($"{(detail.InstanceLocation.ToString() is { Length: > 0 } at ? at : "/")}: {message}");
                }
            }
            if (errors.Count == 0)
            {
                errors.Add("The schema is not valid JSON Schema (draft 2020-12).");
            }
            return null;
        }
        try
        {
            // A registry of its own: two types' schemas may share an $id, and nothing is looked up elsewhere.
            var built = JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            if (built.Root is { } root)
            {
                MakePatternsLinear(root, new HashSet<JsonSchemaNode>(ReferenceEqualityComparer.Instance));
            }
            var compiled = new EventSchema(built);
            compiled.Check(null);
            return compiled;
        }
        catch (Exception e) when (e is JsonSchemaException or RefResolutionException or JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            errors.Add($"The schema does not compile: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Every <c>pattern</c> and <c>patternProperties</c> of the built schema switched to .NET's non-backtracking engine: a
    /// pattern such as <c>^(a+)+$</c> then takes time linear in the string, never exponential (a publisher's data cannot stall
    /// a host). A pattern with what that engine lacks (backreferences, lookarounds, atomic groups) is refused when saved.
    /// </summary>
    private static void MakePatternsLinear(JsonSchemaNode node, HashSet<JsonSchemaNode> seen)
    {
        if (!seen.Add(node))
        {
            return;
        }
        foreach (var keyword in node.Keywords ?? [])
        {
            switch (keyword.Handler)
            {
                case Json.Schema.Keywords.PatternKeyword when keyword.RawValue.ValueKind == JsonValueKind.String:
                    keyword.Value = Linear(keyword.RawValue.GetString()!);
                    break;
                case Json.Schema.Keywords.PatternPropertiesKeyword when keyword.Value is Dictionary<string, Regex> patterns:
                    keyword.Value = patterns.ToDictionary(p => p.Key, p => Linear(p.Key));
                    break;
            }
            foreach (var subschema in keyword.Subschemas ?? [])
            {
                MakePatternsLinear(subschema, seen);
            }
        }
    }

    private static Regex Linear(string pattern)
    {
        try
        {
            return new Regex(AsciiClasses(pattern), RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException e)
        {
            throw new JsonSchemaException($"The pattern '{pattern}' uses what this catalog does not run (backreferences, lookarounds, atomic groups): {e.Message}");
        }
    }

    /// <summary>
    /// <c>\d</c>, <c>\w</c> and their negations as JSON Schema means them (ECMA-262: ASCII digits and word characters), not as
    /// .NET does (any Unicode digit or letter) — the ECMAScript option the library uses cannot go with the non-backtracking engine.
    /// </summary>
    internal static string AsciiClasses(string pattern)
    {
        var text = new System.Text.StringBuilder(pattern.Length + 16);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                var next = pattern[++i];
                text.Append((next, inClass) switch
                {
                    ('d', false) => "[0-9]",
                    ('d', true) => "0-9",
                    ('D', false) => "[^0-9]",
                    ('w', false) => "[a-zA-Z0-9_]",
                    ('w', true) => "a-zA-Z0-9_",
                    ('W', false) => "[^a-zA-Z0-9_]",
                    _ => $"\\{next}",
                });
                continue;
            }
            inClass = c switch
            {
                '[' => true,
                ']' => false,
                _ => inClass,
            };
            text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>Compiles a schema known to be valid (one saved in the catalog).</summary>
    public static EventSchema CompileSaved(JsonElement schema) =>
        Compile(schema, out var errors) ?? throw new InvalidOperationException($"A saved event schema does not compile: {string.Join(" ", errors)}");

    /// <summary>
    /// The schema's shape, checked before the library sees it: every reference and identifier (refusing what would leave the
    /// schema or nest too deep), then what one place of the data costs — the subschemas applied there without moving into the
    /// data (<c>$ref</c>, <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>, <c>not</c>, <c>if</c>/<c>then</c>/<c>else</c>,
    /// <c>dependentSchemas</c>): a loop among them would never end (a stack overflow, not an exception), and a chain of them
    /// that doubles at each step would take exponential time; both are refused.
    /// </summary>
    private sealed class Structure(JsonElement root, List<string> errors)
    {
        /// <summary>Keywords whose values are data, not schemas: never read as references or identifiers.</summary>
        private static readonly HashSet<string> DataKeywords = ["const", "enum", "default", "examples"];

        /// <summary>The most subschemas applied at one place of the data (a realistic schema applies a handful).</summary>
        public const int MaxPerPlace = 1000;

        private Dictionary<string, string>? _anchors;
        private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);
        private readonly HashSet<string> _applying = new(StringComparer.Ordinal);

        public void Check()
        {
            Walk(root, "", depth: 1);
            if (errors.Count > 0)
            {
                return;
            }
            foreach (var (node, at) in Subschemas(root, ""))
            {
                if (Applied(node, at) < 0)
                {
                    return;
                }
            }
        }

        /// <summary>Keywords whose values map names to subschemas: their keys are names, never keywords.</summary>
        private static readonly HashSet<string> NamedSubschemas = ["properties", "patternProperties", "$defs", "dependentSchemas"];

        private void Walk(JsonElement node, string at, int depth, bool names = false)
        {
            if (depth > MaxDepth)
            {
                errors.Add($"The schema is nested deeper than {MaxDepth} levels (at '{at}').");
                return;
            }
            if (node.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, $"{at}/{i++}", depth + 1);
                }
                return;
            }
            if (node.ValueKind != JsonValueKind.Object)
            {
                return;
            }
            foreach (var property in node.EnumerateObject())
            {
                var here = $"{at}/{Escape(property.Name)}";
                if (!names && property.Value.ValueKind == JsonValueKind.String)
                {
                    var value = property.Value.GetString()!;
                    switch (property.Name)
                    {
                        case "$ref" when Resolve(value) is null:
                            errors.Add($"'{here}' is '{value}': a reference must point into this schema ('#', '#/$defs/name' or '#anchor'); nothing outside it is ever fetched.");
                            break;
                        case "$dynamicRef" or "$recursiveRef":
                            errors.Add($"'{here}': {property.Name} is not supported in the catalog; use '$ref' into '$defs'.");
                            break;
                        case "$id" or "$schema" when at.Length > 0:
                            errors.Add($"'{here}': only the schema's root may have an '{property.Name}'.");
                            break;
                    }
                }
                if (names || !DataKeywords.Contains(property.Name))
                {
                    Walk(property.Value, here, depth + 1, !names && NamedSubschemas.Contains(property.Name));
                }
            }
        }

        /// <summary>How many subschemas apply at one place of the data when <paramref name="node"/> does (itself included); -1 once refused.</summary>
        private long Applied(JsonElement node, string at)
        {
            if (_applied.TryGetValue(at, out var known))
            {
                return known;
            }
            if (!_applying.Add(at))
            {
                errors.Add($"'{Shown(at)}' applies itself again at the same place of the data (through $ref, allOf, anyOf, oneOf, not, if/then/else or dependentSchemas): checking an event would never end.");
                return -1;
            }
            long total = 1;
            foreach (var (child, childAt) in SamePlace(node, at))
            {
                var applied = Applied(child, childAt);
                if (applied < 0)
                {
                    return -1;
                }
                total += applied;
                if (total > MaxPerPlace)
                {
                    errors.Add($"'{Shown(at)}' applies more than {MaxPerPlace} subschemas at one place of the data: checking an event would cost too much.");
                    return -1;
                }
            }
            _applying.Remove(at);
            _applied[at] = total;
            return total;
        }

        /// <summary>The subschemas applied to the same place of the data as <paramref name="node"/>.</summary>
        private IEnumerable<(JsonElement Node, string At)> SamePlace(JsonElement node, string at)
        {
            if (node.ValueKind != JsonValueKind.Object)
            {
                yield break;
            }
            foreach (var property in node.EnumerateObject())
            {
                var here = $"{at}/{Escape(property.Name)}";
                switch (property.Name)
                {
                    case "$ref" when property.Value.ValueKind == JsonValueKind.String && Resolve(property.Value.GetString()!) is { } target:
                        yield return target;
                        break;
                    case "allOf" or "anyOf" or "oneOf" when property.Value.ValueKind == JsonValueKind.Array:
                        var i = 0;
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            yield return (item, $"{here}/{i++}");
                        }
                        break;
                    case "not" or "if" or "then" or "else":
                        yield return (property.Value, here);
                        break;
                    case "dependentSchemas" when property.Value.ValueKind == JsonValueKind.Object:
                        foreach (var dependent in property.Value.EnumerateObject())
                        {
                            yield return (dependent.Value, $"{here}/{Escape(dependent.Name)}");
                        }
                        break;
                }
            }
        }

        /// <summary>Every object of the schema that may be a subschema (values of data keywords left out), with its JSON Pointer.</summary>
        private static IEnumerable<(JsonElement Node, string At)> Subschemas(JsonElement node, string at, bool names = false)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                if (!names)
                {
                    yield return (node, at);
                }
                foreach (var property in node.EnumerateObject().Where(p => names || !DataKeywords.Contains(p.Name)))
                {
                    foreach (var inner in Subschemas(property.Value, $"{at}/{Escape(property.Name)}", !names && NamedSubschemas.Contains(property.Name)))
                    {
                        yield return inner;
                    }
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in node.EnumerateArray())
                {
                    foreach (var inner in Subschemas(item, $"{at}/{i++}"))
                    {
                        yield return inner;
                    }
                }
            }
        }

        /// <summary>The subschema a reference points to and its JSON Pointer from the root; null when it points elsewhere.</summary>
        private (JsonElement Node, string At)? Resolve(string reference)
        {
            if (reference == "#")
            {
                return (root, "");
            }
            if (reference.StartsWith("#/", StringComparison.Ordinal))
            {
                var node = root;
                var at = "";
                foreach (var raw in reference[2..].Split('/'))
                {
                    var token = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                    if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty(token, out var child))
                    {
                        node = child;
                    }
                    else if (node.ValueKind == JsonValueKind.Array && int.TryParse(token, out var index) && index >= 0 && index < node.GetArrayLength())
                    {
                        node = node[index];
                    }
                    else
                    {
                        return null;
                    }
                    at += "/" + Escape(token);
                }
                return node.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False ? (node, at) : null;
            }
            if (reference.StartsWith('#'))
            {
                _anchors ??= Anchors();
                return _anchors.TryGetValue(reference[1..], out var anchored) ? Resolve("#" + anchored) : null;
            }
            return null;
        }

        /// <summary>Each <c>$anchor</c>, and the JSON Pointer of the subschema it names.</summary>
        private Dictionary<string, string> Anchors()
        {
            var anchors = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (node, at) in Subschemas(root, ""))
            {
                if (node.TryGetProperty("$anchor", out var anchor) && anchor.ValueKind == JsonValueKind.String)
                {
                    anchors.TryAdd(anchor.GetString()!, at);
                }
            }
            return anchors;
        }

        /// <summary>A JSON Pointer into the schema as a message shows it: <c>/</c> for the root.</summary>
        private static string Shown(string at) => at.Length == 0 ? "/" : at;

        private static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
    }
}

/// <summary>One place where an event's data does not conform to its type's schema: a JSON Pointer into the event (<c>/data/amount</c>), and why.</summary>
public sealed record SchemaViolation(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
