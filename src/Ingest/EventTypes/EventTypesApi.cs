using System.Security.Claims;
using Webhooks.Core.EventTypes;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.EventTypes;

/// <summary>
/// The event-type catalog (docs/api.md, "Event types"): every key reads it; an operator (an admin key bound to no tenant)
/// writes it. An OpenAPI 3.1 document's <c>webhooks</c> object is its import and export format.
/// </summary>
public static class EventTypesApi
{
    private const int MaxRequestBytes = 128 * 1024;
    private const int MaxImportBytes = 1024 * 1024;
    private const int MaxImportTypes = 500;

    public static IEndpointRouteBuilder MapEventTypesApi(this IEndpointRouteBuilder routes)
    {
        var types = routes.MapGroup("/v1/event-types").WithTags("Event types");
        types.MapGet("/", List).RequireAuthorization(AuthRegistration.Publisher);
        types.MapGet("/openapi", Export).RequireAuthorization(AuthRegistration.Publisher);
        types.MapGet("/{name}", Get).RequireAuthorization(AuthRegistration.Publisher);
        types.MapPost("/", Create).RequireAuthorization(AuthRegistration.Admin);
        types.MapPost("/import", Import).RequireAuthorization(AuthRegistration.Admin);
        types.MapPatch("/{name}", Update).RequireAuthorization(AuthRegistration.Admin);
        types.MapDelete("/{name}", Delete).RequireAuthorization(AuthRegistration.Admin);
        return routes;
    }

    private static async Task<IResult> List(EventTypeCatalog catalog, bool? deprecated) =>
        TypedResults.Ok(new EventTypeList([.. (await catalog.ReadAllAsync()).Where(t => deprecated is null || t.Deprecated == deprecated)]));

    private static async Task<IResult> Get(string name, EventTypeCatalog catalog) =>
        await catalog.GetAsync(name) is ({ } definition, _) ? TypedResults.Ok(definition) : NotFound(name);

    private static async Task<IResult> Export(EventTypeCatalog catalog)
    {
        var version = (await catalog.CurrentAsync()).Version;
        return TypedResults.Json(OpenApiWebhooks.Export(await catalog.ReadAllAsync(), version), contentType: "application/vnd.oai.openapi+json");
    }

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal user, EventTypeCatalog catalog, AuditLog audit, CancellationToken cancellationToken)
    {
        if (OperatorOnly(user) is { } refused)
        {
            return refused;
        }
        var body = await JsonBody.ReadAsync<EventTypeRequest>(request, MaxRequestBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var (definition, errors) = body.Value!.Apply(null, DateTimeOffset.UtcNow);
        if (definition is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The event type is not valid");
        }
        if (await catalog.ChangeAsync([new CatalogChange(definition.Name, null, definition)]) is not null)
        {
            return TypedResults.Problem($"The catalog already has '{definition.Name}': change it with PATCH /v1/event-types/{definition.Name}.", statusCode: StatusCodes.Status409Conflict, title: "Event type exists");
        }
        await audit.RecordAsync(user, "event-types.create", null, definition.Name, new { definition.Validation, HasSchema = definition.Schema is not null });
        return TypedResults.Created($"/v1/event-types/{definition.Name}", definition);
    }

    private static async Task<IResult> Update(string name, HttpRequest request, ClaimsPrincipal user, EventTypeCatalog catalog, AuditLog audit, CancellationToken cancellationToken)
    {
        if (OperatorOnly(user) is { } refused)
        {
            return refused;
        }
        var body = await JsonBody.ReadAsync<EventTypeRequest>(request, MaxRequestBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await catalog.GetAsync(name) is not ({ } existing, { } stored))
        {
            return NotFound(name);
        }
        var (definition, errors) = body.Value!.Apply(existing, DateTimeOffset.UtcNow);
        if (definition is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The event type is not valid");
        }
        if (await catalog.ChangeAsync([new CatalogChange(name, stored, definition)]) is not null)
        {
            return ChangedMeanwhile(name);
        }
        await audit.RecordAsync(user, "event-types.update", null, name, new { definition.Validation, HasSchema = definition.Schema is not null, definition.Deprecated });
        return TypedResults.Ok(definition);
    }

    private static async Task<IResult> Delete(string name, ClaimsPrincipal user, EventTypeCatalog catalog, AuditLog audit)
    {
        if (OperatorOnly(user) is { } refused)
        {
            return refused;
        }
        if (await catalog.GetAsync(name) is not (not null, { } stored))
        {
            return NotFound(name);
        }
        if (await catalog.ChangeAsync([new CatalogChange(name, stored, null)]) is not null)
        {
            return ChangedMeanwhile(name);
        }
        await audit.RecordAsync(user, "event-types.delete", null, name);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Every webhook of an OpenAPI 3.1 document into the catalog: new types created, those it has replaced (a type the
    /// document leaves out is kept). All or nothing: one type that is not valid, and none is written.
    /// </summary>
    private static async Task<IResult> Import(HttpRequest request, ClaimsPrincipal user, EventTypeCatalog catalog, AuditLog audit, CancellationToken cancellationToken)
    {
        if (OperatorOnly(user) is { } refused)
        {
            return refused;
        }
        var body = await JsonBody.ReadAsync<System.Text.Json.Nodes.JsonObject>(request, MaxImportBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var (requests, errors) = OpenApiWebhooks.Import(System.Text.Json.JsonSerializer.SerializeToElement(body.Value), MaxImportTypes);
        var existing = (await catalog.ReadAllAsync()).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var now = DateTimeOffset.UtcNow;
        var changes = new List<CatalogChange>();
        var (created, replaced) = (new List<string>(), new List<string>());
        foreach (var type in requests)
        {
            var current = existing.GetValueOrDefault(type.Name!);
            // A type imported again is replaced as a whole by what the document says of it.
            var (definition, typeErrors) = type.Apply(null, now);
            foreach (var (field, messages) in typeErrors)
            {
                errors[$"webhooks.{type.Name}.{field}"] = messages;
            }
            if (definition is not null)
            {
                changes.Add(new CatalogChange(definition.Name, CatalogChange.Anything, current is null ? definition : definition with { CreatedAt = current.CreatedAt }));
                (current is null ? created : replaced).Add(definition.Name);
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The document cannot be imported; nothing was");
        }
        if (changes.Count > 0)
        {
            await catalog.ChangeAsync(changes);
        }
        await audit.RecordAsync(user, "event-types.import", null, "catalog", new { Created = created, Replaced = replaced });
        return TypedResults.Ok(new EventTypeImport(created, replaced));
    }

    private static IResult? OperatorOnly(ClaimsPrincipal user) => Caller.Of(user).NotAnOperator("Writing the event-type catalog");

    private static IResult NotFound(string name) =>
        TypedResults.Problem($"The catalog has no event type '{name}'.", statusCode: StatusCodes.Status404NotFound, title: "Event type not found");

    private static IResult ChangedMeanwhile(string name) =>
        TypedResults.Problem($"'{name}' was changed or deleted while this request read it; read it again and retry.", statusCode: StatusCodes.Status409Conflict, title: "Event type changed meanwhile");
}

/// <summary>The catalog: every event type, by name.</summary>
public sealed record EventTypeList(IReadOnlyList<EventTypeDefinition> Data);

/// <summary>What an import did: the types it created and those it replaced.</summary>
public sealed record EventTypeImport(IReadOnlyList<string> Created, IReadOnlyList<string> Replaced);
