using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Webhooks.Core.EventTypes;

namespace Webhooks.Ingest.EventTypes;

/// <summary>
/// The catalog as an OpenAPI 3.1 document's <c>webhooks</c> object, and back: each type is a webhook of its name whose
/// <c>post</c> request body is the envelope a subscriber receives (<c>id</c>, <c>type</c>, <c>timestamp</c>, <c>tenant</c>,
/// <c>data</c>), its <c>data</c> the type's schema; the validation mode travels as <c>x-webhooks-validation</c>, a type without
/// a schema as <c>x-webhooks-no-schema</c>. Reading accepts a body schema that is the envelope or the data alone, inline or a
/// <c>$ref</c> to <c>#/components/schemas</c> (the components it uses are copied into the type's <c>$defs</c>, as a catalog
/// schema is self-contained), and a request body that is a <c>$ref</c> to <c>#/components/requestBodies</c>.
/// </summary>
public static partial class OpenApiWebhooks
{
    public const string ValidationExtension = "x-webhooks-validation";
    public const string NoSchemaExtension = "x-webhooks-no-schema";
    private const string SchemasPrefix = "#/components/schemas/";
    private const string RequestBodiesPrefix = "#/components/requestBodies/";
    private const string DefsPrefix = "#/$defs/";

    /// <summary>Keywords whose values are data, not schemas: copied as they are.</summary>
    private static readonly HashSet<string> DataKeywords = ["const", "enum", "default", "examples"];

    /// <summary>Keywords whose values map names to subschemas: their keys are names, never keywords.</summary>
    private static readonly HashSet<string> NamedSubschemas = ["properties", "patternProperties", "$defs", "dependentSchemas"];

    [GeneratedRegex("\"#/\\$defs/([^\"/]+)\"")]
    private static partial Regex DefsReference();

    /// <summary>The <c>$id</c> an exported schema gets when it has references of its own (so that they resolve inside it, not against the document); taken off again on import.</summary>
    public static string SchemaId(string name) => $"urn:webhooks:event-types:{name}";

    public static JsonObject Export(IReadOnlyList<EventTypeDefinition> types, long version)
    {
        var webhooks = new JsonObject();
        foreach (var type in types)
        {
            var content = new JsonObject { ["schema"] = Envelope(type) };
            if (type.Examples is { Count: > 0 } examples)
            {
                var named = new JsonObject();
                for (var i = 0; i < examples.Count; i++)
                {
                    named[$"example-{i + 1}"] = new JsonObject { ["value"] = new JsonObject { ["type"] = type.Name, ["data"] = JsonNode.Parse(examples[i].GetRawText()) } };
                }
                content["examples"] = named;
            }
            var post = new JsonObject { ["operationId"] = type.Name, ["summary"] = type.Name };
            if (type.Description is { } description)
            {
                post["description"] = description;
            }
            if (type.Deprecated)
            {
                post["deprecated"] = true;
            }
            post[ValidationExtension] = type.Validation;
            if (type.Schema is null)
            {
                post[NoSchemaExtension] = true;
            }
            post["requestBody"] = new JsonObject { ["required"] = true, ["content"] = new JsonObject { ["application/json"] = content } };
            post["responses"] = new JsonObject { ["2XX"] = new JsonObject { ["description"] = "The subscriber took the webhook." } };
            webhooks[type.Name] = new JsonObject { ["post"] = post };
        }
        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject { ["title"] = "Webhooks event types", ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["webhooks"] = webhooks,
        };
    }

    private static JsonObject Envelope(EventTypeDefinition type)
    {
        JsonNode data = new JsonObject { ["type"] = "object" };
        if (type.Schema is { } schema)
        {
            data = JsonNode.Parse(schema.GetRawText())!;
            if (data is JsonObject withRefs && !withRefs.ContainsKey("$id") && schema.GetRawText().Contains("\"$ref\"", StringComparison.Ordinal))
            {
                withRefs.Insert(0, "$id", SchemaId(type.Name));
            }
        }
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray("id", "type", "timestamp", "tenant"),
            ["properties"] = new JsonObject
            {
                ["id"] = new JsonObject { ["type"] = "string" },
                ["type"] = new JsonObject { ["const"] = type.Name },
                ["timestamp"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                ["tenant"] = new JsonObject { ["type"] = "string" },
                ["data"] = data,
            },
        };
    }

    /// <summary>Each webhook of the document as a request for its type; the reasons, by place in the document, when the document is not one this reads.</summary>
    public static (List<EventTypeRequest> Types, Dictionary<string, string[]> Errors) Import(JsonElement document, int maxTypes)
    {
        var types = new List<EventTypeRequest>();
        var errors = new Dictionary<string, string[]>();
        void Add(string at, string message) => errors[at] = errors.TryGetValue(at, out var e) ? [.. e, message] : [message];

        if (Child(document, "openapi") is not { ValueKind: JsonValueKind.String } version || !version.GetString()!.StartsWith("3.1", StringComparison.Ordinal))
        {
            Add("openapi", "The document must be OpenAPI 3.1 ('\"openapi\": \"3.1.0\"'): its 'webhooks' object is what the catalog reads.");
            return (types, errors);
        }
        if (Child(document, "webhooks") is not { ValueKind: JsonValueKind.Object } webhooks)
        {
            Add("webhooks", "The document has no 'webhooks' object: one entry per event type, named by the type.");
            return (types, errors);
        }
        if (webhooks.EnumerateObject().Count() > maxTypes)
        {
            Add("webhooks", $"At most {maxTypes} event types in one import.");
            return (types, errors);
        }
        var components = Child(document, "components");
        var schemas = components is { } c ? Child(c, "schemas") : null;
        var requestBodies = components is { } r ? Child(r, "requestBodies") : null;
        foreach (var webhook in webhooks.EnumerateObject())
        {
            var at = $"webhooks.{webhook.Name}";
            if (Child(webhook.Value, "post") is not { ValueKind: JsonValueKind.Object } post)
            {
                Add(at, "A webhook of the catalog is a 'post' operation (its request body is what subscribers receive).");
                continue;
            }
            var requestBody = Child(post, "requestBody");
            if (requestBody is { } referring && Text(referring, "$ref") is { } bodyReference)
            {
                requestBody = bodyReference.StartsWith(RequestBodiesPrefix, StringComparison.Ordinal) && requestBodies is { } bodies ? Child(bodies, Unescape(bodyReference[RequestBodiesPrefix.Length..])) : null;
                if (requestBody is null)
                {
                    Add($"{at}.requestBody", $"'{bodyReference}' is not in the document's components.requestBodies.");
                    continue;
                }
            }
            var json = requestBody is { } given ? Child(Child(given, "content") ?? default, "application/json") : null;
            if (requestBody is not null && json is not { ValueKind: JsonValueKind.Object })
            {
                Add($"{at}.requestBody", "The request body has no 'application/json' content: webhooks here are JSON.");
                continue;
            }
            JsonElement schema = default;
            IReadOnlyList<JsonElement>? examples = null;
            if (json is { } body && Child(body, "schema") is { } bodySchema)
            {
                var (resolved, problem) = SelfContained(bodySchema, schemas);
                if (problem is not null)
                {
                    Add($"{at}.schema", problem);
                    continue;
                }
                // The envelope may be the body's schema, or the component it refers to.
                var candidate = Referred(resolved) ?? resolved;
                var envelope = IsEnvelope(candidate);
                (schema, problem) = envelope ? Strip(candidate.GetProperty("properties").GetProperty("data"), webhook.Name, resolved) : Strip(resolved, webhook.Name, null);
                if (problem is not null)
                {
                    Add($"{at}.schema", problem);
                    continue;
                }
                examples = Examples(body, envelope);
            }
            var noSchema = Child(post, NoSchemaExtension) is { ValueKind: JsonValueKind.True };
            types.Add(new EventTypeRequest(
                webhook.Name,
                Text(post, "description") ?? (Text(post, "summary") is { } summary && summary != webhook.Name ? summary : null),
                noSchema ? default : schema,
                examples,
                Child(post, "deprecated") is { ValueKind: JsonValueKind.True },
                Text(post, ValidationExtension)));
        }
        return (types, errors);
    }

    /// <summary>The member <paramref name="name"/> of an object; null when it is no object or has no such member.</summary>
    private static JsonElement? Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : null;

    private static string? Text(JsonElement element, string name) =>
        Child(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>A JSON Pointer token as written in a reference: percent-decoded, <c>~1</c> and <c>~0</c> turned back.</summary>
    private static string Unescape(string token) =>
        Uri.UnescapeDataString(token).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>The definition a schema that is only a reference into its <c>$defs</c> refers to, or null.</summary>
    private static JsonElement? Referred(JsonElement schema) =>
        Child(schema, "properties") is null && Text(schema, "$ref") is { } target && target.StartsWith(DefsPrefix, StringComparison.Ordinal)
        && Child(schema, "$defs") is { } defs ? Child(defs, Unescape(target[DefsPrefix.Length..])) : null;

    /// <summary>The envelope a subscriber receives (the shape <see cref="Export"/> writes): an object whose properties hold <c>data</c> and <c>type</c>.</summary>
    private static bool IsEnvelope(JsonElement schema) =>
        Child(schema, "properties") is { ValueKind: JsonValueKind.Object } properties && Child(properties, "data") is not null && Child(properties, "type") is not null;

    private static List<JsonElement>? Examples(JsonElement body, bool envelope)
    {
        if (Child(body, "examples") is not { ValueKind: JsonValueKind.Object } named)
        {
            return Child(body, "example") is { } single ? [DataOf(single, envelope)] : null;
        }
        return [.. named.EnumerateObject().Select(e => Child(e.Value, "value")).OfType<JsonElement>().Select(v => DataOf(v, envelope))];
    }

    private static JsonElement DataOf(JsonElement example, bool envelope) =>
        envelope && Child(example, "data") is { } data ? data.Clone() : example.Clone();

    /// <summary>
    /// The data schema, without the <c>$id</c> <see cref="Export"/> gave it, and with the definitions of the envelope's
    /// <c>$defs</c> it refers to (and those they refer to); a definition of the same name that differs is refused.
    /// </summary>
    private static (JsonElement Schema, string? Problem) Strip(JsonElement data, string name, JsonElement? envelope)
    {
        var node = JsonNode.Parse(data.GetRawText());
        if (node is JsonObject root)
        {
            if (root["$id"] is JsonValue id && id.TryGetValue<string>(out var value) && value == SchemaId(name))
            {
                root.Remove("$id");
            }
            if (envelope is { } outer && Child(outer, "$defs") is { ValueKind: JsonValueKind.Object } defs)
            {
                var merged = root["$defs"] as JsonObject ?? new JsonObject();
                var pending = new Queue<string>(References(root.ToJsonString()));
                while (pending.TryDequeue(out var reference))
                {
                    if (Child(defs, reference) is not { } definition)
                    {
                        continue;
                    }
                    if (merged[reference] is { } existing)
                    {
                        if (!JsonNode.DeepEquals(existing, JsonNode.Parse(definition.GetRawText())))
                        {
                            return (default, $"'$defs/{reference}' of the data differs from the component of that name it would be merged with: rename one.");
                        }
                        continue;
                    }
                    merged[reference] = JsonNode.Parse(definition.GetRawText());
                    foreach (var next in References(definition.GetRawText()))
                    {
                        pending.Enqueue(next);
                    }
                }
                if (merged.Count > 0)
                {
                    root["$defs"] = merged;
                }
            }
        }
        return (JsonSerializer.SerializeToElement(node), null);
    }

    private static IEnumerable<string> References(string json) => DefsReference().Matches(json).Select(m => Unescape(m.Groups[1].Value)).Distinct();

    /// <summary>
    /// The schema with every <c>$ref</c> into <c>#/components/schemas</c> made one into its own <c>$defs</c> (the components it
    /// uses, and those they use, copied there); a reference into a component's inside, to a component that is not there, or
    /// to a component whose name the schema's own <c>$defs</c> already uses otherwise, is refused. Data (<c>const</c>,
    /// <c>enum</c>, <c>default</c>, <c>examples</c>) is copied as it is.
    /// </summary>
    private static (JsonElement Schema, string? Problem) SelfContained(JsonElement schema, JsonElement? components)
    {
        var used = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        var pending = new Queue<string>();
        string? problem = null;
        JsonNode? Rewrite(JsonElement element, bool names = false)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var result = new JsonObject();
                    foreach (var property in element.EnumerateObject())
                    {
                        if (!names && DataKeywords.Contains(property.Name))
                        {
                            result[property.Name] = JsonNode.Parse(property.Value.GetRawText());
                        }
                        else if (!names && property.Name == "$ref" && property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.StartsWith(SchemasPrefix, StringComparison.Ordinal))
                        {
                            var reference = property.Value.GetString()!;
                            var suffix = reference[SchemasPrefix.Length..];
                            var component = Unescape(suffix);
                            if (suffix.Contains('/', StringComparison.Ordinal))
                            {
                                problem ??= $"'{reference}' points inside a component: refer to a whole component.";
                            }
                            else if (components is not { } all || Child(all, component) is null)
                            {
                                problem ??= $"'{reference}' is not in the document's components.schemas.";
                            }
                            else if (!used.ContainsKey(component))
                            {
                                used[component] = null;
                                pending.Enqueue(component);
                            }
                            result["$ref"] = DefsPrefix + Escape(component);
                        }
                        else
                        {
                            result[property.Name] = Rewrite(property.Value, !names && NamedSubschemas.Contains(property.Name));
                        }
                    }
                    return result;
                case JsonValueKind.Array:
                    return new JsonArray([.. element.EnumerateArray().Select(e => Rewrite(e))]);
                default:
                    return JsonValue.Create(element.Clone());
            }
        }
        var root = Rewrite(schema);
        while (problem is null && pending.TryDequeue(out var name))
        {
            used[name] = Rewrite(Child(components!.Value, name)!.Value);
        }
        if (problem is not null)
        {
            return (default, problem);
        }
        if (used.Count > 0 && root is JsonObject rootObject)
        {
            var defs = rootObject["$defs"] as JsonObject ?? new JsonObject();
            foreach (var (name, body) in used)
            {
                if (defs.ContainsKey(name))
                {
                    return (default, $"The component '{name}' has the name of one of the schema's own $defs: rename one.");
                }
                defs[name] = body;
            }
            rootObject["$defs"] = defs;
        }
        return (JsonSerializer.SerializeToElement(root), null);
    }
}
