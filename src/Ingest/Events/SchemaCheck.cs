using System.Text.Json;
using Webhooks.Core.EventTypes;

namespace Webhooks.Ingest.Events;

/// <summary>An event checked against its type's schema in the catalog, as Ingest accepts it (docs/api.md, "Event types").</summary>
internal static class SchemaCheck
{
    /// <summary>
    /// What the catalog says of the event: nothing when it conforms (or its type is not checked); under <c>warn</c>, the
    /// violations to mark it with; under <c>enforce</c>, the violations it is refused for. Each non-conforming event is counted.
    /// </summary>
    public static (IReadOnlyList<string>? Marks, IReadOnlyList<SchemaViolation>? Refused) Of(CatalogSnapshot catalog, string type, JsonElement? data)
    {
        var (mode, violations) = catalog.Check(type, data);
        if (violations.Count == 0)
        {
            return (null, null);
        }
        var enforced = mode == SchemaValidation.Enforce;
        IngestTelemetry.SchemaViolations.Add(1, IngestTelemetry.Tag("type", type), IngestTelemetry.Tag("outcome", enforced ? "refused" : "accepted"));
        return enforced ? (null, violations) : ([.. violations.Select(v => v.ToString())], null);
    }

    /// <summary>422 problem+json: each failing place (a JSON Pointer into the request, <paramref name="prefix"/> before it) with why.</summary>
    public static IResult Refusal(HttpContext http, string detail, IEnumerable<(string Prefix, SchemaViolation Violation)> violations)
    {
        http.Items[IngestTelemetry.RefusalItem] = IngestTelemetry.SchemaViolationReason;
        var errors = violations.GroupBy(v => v.Prefix + v.Violation.Path).ToDictionary(g => g.Key, g => g.Select(v => v.Violation.Message).ToArray());
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "The event does not conform to its type's schema",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });
    }
}
