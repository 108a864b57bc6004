using System.Text.Json;
using System.Text.Json.Nodes;
using Webhooks.Core.EventTypes;

namespace Webhooks.Ingest.EventTypes;

/// <summary>
/// The catalog as an OpenAPI 3.1 document's <c>webhooks</c> object, and back: each type is a webhook of its name whose
/// <c>post</c> request body is the envelope a subscriber receives (<c>id</c>, <c>type</c>, <c>timestamp</c>, <c>tenant</c>,
/// <c>data</c>), its <c>data</c> the type's schema; the validation mode travels as <c>x-webhooks-validation</c>. Reading
/// accepts a body schema that is the envelope or the data alone, inline or a <c>$ref</c> to <c>#/components/schemas</c>
/// (the components it uses are copied into the type's <c>$defs</c>, as a catalog schema is self-contained).
/// </summary>
public static class OpenApiWebhooks
{
    public const string ValidationExtension = "x-webhooks-validation";
    private const string ComponentsPrefix = "#/components/schemas/";

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

        if (!document.TryGetProperty("openapi", out var version) || version.ValueKind != JsonValueKind.String || !version.GetString()!.StartsWith("3.1", StringComparison.Ordinal))
        {
            Add("openapi", "The document must be OpenAPI 3.1 ('\"openapi\": \"3.1.0\"'): its 'webhooks' object is what the catalog reads.");
            return (types, errors);
        }
        if (!document.TryGetProperty("webhooks", out var webhooks) || webhooks.ValueKind != JsonValueKind.Object)
        {
            Add("webhooks", "The document has no 'webhooks' object: one entry per event type, named by the type.");
            return (types, errors);
        }
        var components = document.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        foreach (var webhook in webhooks.EnumerateObject())
        {
            var at = $"webhooks.{webhook.Name}";
            if (types.Count == maxTypes)
            {
                Add("webhooks", $"At most {maxTypes} event types in one import.");
                break;
            }
            if (webhook.Value.ValueKind != JsonValueKind.Object || !webhook.Value.TryGetProperty("post", out var post) || post.ValueKind != JsonValueKind.Object)
            {
                Add(at, "A webhook of the catalog is a 'post' operation (its request body is what subscribers receive).");
                continue;
            }
            var body = post.TryGetProperty("requestBody", out var b) && b.TryGetProperty("content", out var ct) && ct.TryGetProperty("application/json", out var json) ? json : default;
            JsonElement schema = default;
            IReadOnlyList<JsonElement>? examples = null;
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("schema", out var bodySchema))
            {
                var (resolved, problem) = SelfContained(bodySchema, components);
                if (problem is not null)
                {
                    Add($"{at}.schema", problem);
                    continue;
                }
                // The envelope may be the body's schema, or the component it refers to.
                var candidate = Referred(resolved) ?? resolved;
                var envelope = IsEnvelope(candidate);
                schema = envelope ? Strip(candidate.GetProperty("properties").GetProperty("data"), webhook.Name, resolved) : Strip(resolved, webhook.Name, null);
                examples = Examples(body, envelope);
            }
            types.Add(new EventTypeRequest(
                webhook.Name,
                Text(post, "description") ?? (Text(post, "summary") is { } summary && summary != webhook.Name ? summary : null),
                IsAnyObject(schema) ? default : schema,
                examples,
                post.TryGetProperty("deprecated", out var deprecated) && deprecated.ValueKind == JsonValueKind.True,
                Text(post, ValidationExtension)));
        }
        return (types, errors);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The definition a schema that is only a reference into its <c>$defs</c> refers to, or null.</summary>
    private static JsonElement? Referred(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && !schema.TryGetProperty("properties", out _) && schema.TryGetProperty("$ref", out var reference)
        && reference.ValueKind == JsonValueKind.String && reference.GetString() is { } target && target.StartsWith("#/$defs/", StringComparison.Ordinal)
        && schema.TryGetProperty("$defs", out var defs) && defs.TryGetProperty(target["#/$defs/".Length..], out var referred) ? referred : null;

    /// <summary>The envelope a subscriber receives (the shape <see cref="Export"/> writes): an object whose properties hold <c>data</c> and <c>type</c>.</summary>
    private static bool IsEnvelope(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
        && properties.TryGetProperty("data", out _) && properties.TryGetProperty("type", out _);

    /// <summary>The plain <c>{"type": "object"}</c> export writes for a type without a schema.</summary>
    private static bool IsAnyObject(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.EnumerateObject().Count() == 1 && schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "object";

    private static List<JsonElement>? Examples(JsonElement body, bool envelope)
    {
        if (!body.TryGetProperty("examples", out var named) || named.ValueKind != JsonValueKind.Object)
        {
            return body.TryGetProperty("example", out var single) ? [DataOf(single, envelope)] : null;
        }
        return [.. named.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Object && e.Value.TryGetProperty("value", out _)).Select(e => DataOf(e.Value.GetProperty("value"), envelope))];
    }

    private static JsonElement DataOf(JsonElement example, bool envelope) =>
        envelope && example.ValueKind == JsonValueKind.Object && example.TryGetProperty("data", out var data) ? data.Clone() : example.Clone();

    /// <summary>The data schema, without the <c>$id</c> <see cref="Export"/> gave it; the <c>$defs</c> copied from components stay with it.</summary>
    private static JsonElement Strip(JsonElement data, string name, JsonElement? envelope)
    {
        var node = JsonNode.Parse(data.GetRawText());
        if (node is JsonObject root)
        {
            if (root["$id"] is JsonValue id && id.TryGetValue<string>(out var value) && value == SchemaId(name))
            {
                root.Remove("$id");
            }
            // Components the envelope's schema pulled in that data refers to, and those they refer to.
            if (envelope is { } outer && outer.TryGetProperty("$defs", out var defs) && defs.ValueKind == JsonValueKind.Object)
            {
                var merged = root["$defs"] as JsonObject ?? new JsonObject();
                var added = true;
                while (added)
                {
                    added = false;
                    var text = root.ToJsonString() + merged.ToJsonString();
                    foreach (var def in defs.EnumerateObject().Where(d => !merged.ContainsKey(d.Name) && text.Contains($"\"#/$defs/{d.Name}\"", StringComparison.Ordinal)))
                    {
                        merged[def.Name] = JsonNode.Parse(def.Value.GetRawText());
                        added = true;
                    }
                }
                if (merged.Count > 0)
                {
                    root["$defs"] = merged;
                }
            }
        }
        return JsonSerializer.SerializeToElement(node);
    }

    /// <summary>
    /// The schema with every <c>$ref</c> into <c>#/components/schemas</c> made one into its own <c>$defs</c> (the components it
    /// uses, and those they use, copied there); a reference to anything else outside it is refused.
    /// </summary>
    private static (JsonElement Schema, string? Problem) SelfContained(JsonElement schema, JsonElement components)
    {
        var used = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        var pending = new Queue<string>();
        string? problem = null;
        JsonNode? Rewrite(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var result = new JsonObject();
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name == "$ref" && property.Value.ValueKind == JsonValueKind.String && property.Value.GetString()!.StartsWith(ComponentsPrefix, StringComparison.Ordinal))
                        {
                            var component = property.Value.GetString()![ComponentsPrefix.Length..];
                            if (components.ValueKind != JsonValueKind.Object || !components.TryGetProperty(component, out _))
                            {
                                problem ??= $"'{property.Value.GetString()}' is not in the document's components.";
                            }
                            else if (!used.ContainsKey(component))
                            {
                                used[component] = null;
                                pending.Enqueue(component);
                            }
                            result["$ref"] = "#/$defs/" + component;
                        }
                        else
                        {
                            result[property.Name] = Rewrite(property.Value);
                        }
                    }
                    return result;
                case JsonValueKind.Array:
                    return new JsonArray([.. element.EnumerateArray().Select(Rewrite)]);
                default:
                    return JsonValue.Create(element.Clone());
            }
        }
        var root = Rewrite(schema);
        while (problem is null && pending.TryDequeue(out var name))
        {
            used[name] = Rewrite(components.GetProperty(name));
        }
        if (problem is not null)
        {
            return (default, problem);
        }
        if (used.Count > 0 && root is JsonObject rootObject)
        {
            var defs = rootObject["$defs"] as JsonObject ?? new JsonObject();
            foreach (var (name, body) in used.Where(u => !defs.ContainsKey(u.Key)))
            {
                defs[name] = body;
            }
            rootObject["$defs"] = defs;
        }
        return (JsonSerializer.SerializeToElement(root), null);
    }
}
