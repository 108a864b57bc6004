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
        if (_schema.Evaluate(instance, Flag).IsValid)
        {
            return [];
        }
        var violations = new List<SchemaViolation>();
        foreach (var detail in _schema.Evaluate(instance, List).Details ?? [])
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
        var references = new References();
        references.Walk(schema, schema, "", depth: 1, errors);
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
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException e)
        {
            throw new JsonSchemaException($"The pattern '{pattern}' uses what this catalog does not run (backreferences, lookarounds, atomic groups): {e.Message}");
        }
    }

    /// <summary>Compiles a schema known to be valid (one saved in the catalog).</summary>
    public static EventSchema CompileSaved(JsonElement schema) =>
        Compile(schema, out var errors) ?? throw new InvalidOperationException($"A saved event schema does not compile: {string.Join(" ", errors)}");

    /// <summary>Finds every reference and identifier, and refuses what would leave the schema or nest too deep.</summary>
    private sealed class References
    {
        private HashSet<string>? _anchors;

        public void Walk(JsonElement root, JsonElement node, string at, int depth, List<string> errors)
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
                    Walk(root, item, $"{at}/{i++}", depth + 1, errors);
                }
                return;
            }
            if (node.ValueKind != JsonValueKind.Object)
            {
                return;
            }
            foreach (var property in node.EnumerateObject())
            {
                var here = $"{at}/{property.Name}";
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    var value = property.Value.GetString()!;
                    switch (property.Name)
                    {
                        case "$ref" when !Resolves(root, value):
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
                Walk(root, property.Value, here, depth + 1, errors);
            }
        }

        private bool Resolves(JsonElement root, string reference)
        {
            if (reference == "#")
            {
                return true;
            }
            if (reference.StartsWith("#/", StringComparison.Ordinal))
            {
                var node = root;
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
                        return false;
                    }
                }
                return node.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False;
            }
            if (reference.StartsWith('#'))
            {
                _anchors ??= Anchors(root);
                return _anchors.Contains(reference[1..]);
            }
            return false;
        }

        private static HashSet<string> Anchors(JsonElement root)
        {
            var anchors = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<JsonElement>([root]);
            while (pending.TryPop(out var node))
            {
                if (node.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in node.EnumerateObject())
                    {
                        if (property.Name == "$anchor" && property.Value.ValueKind == JsonValueKind.String)
                        {
                            anchors.Add(property.Value.GetString()!);
                        }
                        pending.Push(property.Value);
                    }
                }
                else if (node.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in node.EnumerateArray())
                    {
                        pending.Push(item);
                    }
                }
            }
            return anchors;
        }
    }
}

/// <summary>One place where an event's data does not conform to its type's schema: a JSON Pointer into the event (<c>/data/amount</c>), and why.</summary>
public sealed record SchemaViolation(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
