using System.Text.Json;
using System.Text.Json.Serialization;
using Webhooks.Core.Events;
using Webhooks.Core.EventTypes;
using Webhooks.Core.Operational;

namespace Webhooks.Ingest.EventTypes;

/// <summary>
/// The body of <c>POST /v1/event-types</c> (a name, the rest optional) and <c>PATCH /v1/event-types/{name}</c> (only what
/// changes; <c>"schema": null</c> removes the schema). Also one type read from an OpenAPI document.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventTypeRequest(string? Name, string? Description, JsonElement Schema, IReadOnlyList<JsonElement>? Examples, bool? Deprecated, string? Validation)
{
    public const int MaxDescriptionLength = 1000;
    public const int MaxExamples = 10;
    public const int MaxExampleBytes = 16 * 1024;

    /// <summary>Names the catalog's own routes take (<c>/v1/event-types/openapi</c>, <c>/v1/event-types/import</c>).</summary>
    private static readonly HashSet<string> ReservedNames = ["openapi", "import"];

    /// <summary>Why a name cannot be an event type of the catalog, or null.</summary>
    public static string? CheckName(string? name) =>
        EventRules.CheckType(name) ?? (OperationalEvents.IsOperational(name!) ? EventRules.CheckPublishable(name)
            : ReservedNames.Contains(name!) ? $"'{name}' names one of the catalog's own routes; choose a dotted name such as '{name}.created'." : null);

    /// <summary>The definition this request makes of <paramref name="existing"/> (none when creating), or the reasons it cannot, by field.</summary>
    public (EventTypeDefinition? Definition, Dictionary<string, string[]> Errors) Apply(EventTypeDefinition? existing, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var e) ? [.. e, message] : [message];

        var name = existing?.Name ?? Name;
        if (existing is null && CheckName(Name) is { } badName)
        {
            Add("name", badName);
        }
        else if (existing is not null && Name is not null && Name != existing.Name)
        {
            Add("name", "A type's name does not change: create the new type, and deprecate this one.");
        }
        if (Description is { Length: > MaxDescriptionLength })
        {
            Add("description", $"The description is longer than {MaxDescriptionLength} characters.");
        }
        if (Validation is not null && !SchemaValidation.IsValid(Validation))
        {
            Add("validation", $"'{Validation}' is not a validation mode: use '{SchemaValidation.Off}', '{SchemaValidation.Warn}' or '{SchemaValidation.Enforce}'.");
        }

        // Undefined: not in the request (unchanged); null: removed.
        var schemaElement = Schema.ValueKind switch
        {
            JsonValueKind.Undefined => existing?.Schema,
            JsonValueKind.Null => null,
            _ => Schema.Clone(),
        };
        EventSchema? schema = null;
        if (schemaElement is { } given)
        {
            schema = EventSchema.Compile(given, out var schemaErrors);
            foreach (var error in schemaErrors)
            {
                Add("schema", error);
            }
        }
        var validation = Validation ?? existing?.Validation ?? SchemaValidation.Off;
        if (schemaElement is null && validation != SchemaValidation.Off && SchemaValidation.IsValid(validation))
        {
            Add("validation", $"'{validation}' checks events against the type's schema: give it a schema, or leave validation '{SchemaValidation.Off}'.");
        }

        var examples = Examples ?? existing?.Examples;
        if (examples is { Count: > MaxExamples })
        {
            Add("examples", $"At most {MaxExamples} examples.");
        }
        else if (examples is not null)
        {
            for (var i = 0; i < examples.Count; i++)
            {
                if (examples[i].ValueKind != JsonValueKind.Object)
                {
                    Add($"examples[{i}]", "An example is the data of an event: a JSON object.");
                }
                else if (System.Text.Encoding.UTF8.GetByteCount(examples[i].GetRawText()) > MaxExampleBytes)
                {
                    Add($"examples[{i}]", $"The example is larger than {MaxExampleBytes / 1024} KiB.");
                }
                else if (schema?.Check(examples[i]) is { Count: > 0 } violations)
                {
                    // An example the schema refuses would teach subscribers the wrong contract.
                    Add($"examples[{i}]", $"The example does not conform to the schema: {string.Join("; ", violations)}.");
                }
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new EventTypeDefinition
        {
            Name = name!,
            Description = Description ?? existing?.Description,
            Schema = schemaElement,
            Examples = examples is null ? null : [.. examples.Select(e => e.Clone())],
            Deprecated = Deprecated ?? existing?.Deprecated ?? false,
            Validation = validation,
            CreatedAt = existing?.CreatedAt ?? now,
            UpdatedAt = now,
        }, errors);
    }
}
