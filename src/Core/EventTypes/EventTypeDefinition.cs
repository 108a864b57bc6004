using System.Text.Json;

namespace Webhooks.Core.EventTypes;

/// <summary>An event type in the catalog: what producers promise to publish under its name and subscribers can count on.</summary>
public sealed record EventTypeDefinition
{
    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The JSON Schema (draft 2020-12) of the event's <c>data</c>; none means any data.</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>Examples of <c>data</c>, each conforming to the schema.</summary>
    public IReadOnlyList<JsonElement>? Examples { get; init; }

    /// <summary>Still published and delivered, but on its way out: subscribers should move to what its description names.</summary>
    public bool Deprecated { get; init; }

    /// <summary>What happens to an event that does not conform (<see cref="SchemaValidation"/>).</summary>
    public string Validation { get; init; } = SchemaValidation.Off;

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>What the platform does with an event whose data does not conform to its type's schema.</summary>
public static class SchemaValidation
{
    /// <summary>Nothing: the schema documents the type.</summary>
    public const string Off = "off";

    /// <summary>Accepted and delivered, counted (<c>webhooks.ingest.schema_violations</c>) and marked on the event.</summary>
    public const string Warn = "warn";

    /// <summary>Refused: 422 at Ingest, dead-lettered <c>invalid_event</c> from the bus.</summary>
    public const string Enforce = "enforce";

    public static bool IsValid(string? mode) => mode is Off or Warn or Enforce;
}

/// <summary>Where the catalog's settings live (section <c>Webhooks:Catalog</c>).</summary>
public sealed class CatalogOptions
{
    public const string Section = "Webhooks:Catalog";

    /// <summary>Endpoints subscribe only to types in the catalog (wildcards such as <c>order.*</c> still allowed).</summary>
    public bool Strict { get; set; }

    /// <summary>How long a host uses its compiled copy of the catalog before it checks the catalog's version again.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);
}
