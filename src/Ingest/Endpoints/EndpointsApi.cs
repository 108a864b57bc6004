using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Webhooks.Core;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Destinations;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.Operational;
using Webhooks.Core.Quotas;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Events;
using Webhooks.Ingest.EventTypes;
using Webhooks.Core.EventTypes;
using Webhooks.Ingest.Quotas;
using Webhooks.Ingest.Requests;
using Webhooks.ServiceDefaults;
using Webhooks.Signing;

namespace Webhooks.Ingest.Endpoints;

public static class EndpointsApi
{
    private const int MaxRequestBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapEndpointsApi(this IEndpointRouteBuilder routes)
    {
        var endpoints = routes.MapGroup("/v1/endpoints").WithTags("Endpoints").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        endpoints.MapPost("/", Create);
        endpoints.MapGet("/", List);
        endpoints.MapGet("/{id}", Get);
        endpoints.MapPatch("/{id}", Update);
        endpoints.MapDelete("/{id}", Delete);
        endpoints.MapPost("/{id}/enable", (string id, HttpContext http, ClaimsPrincipal user, EndpointRegistry registry, FailureStreaks streaks, EventPublisher events, AuditLog audit) => SetEnabled(id, true, http, user, registry, streaks, events, audit));
        endpoints.MapPost("/{id}/disable", (string id, HttpContext http, ClaimsPrincipal user, EndpointRegistry registry, FailureStreaks streaks, EventPublisher events, AuditLog audit) => SetEnabled(id, false, http, user, registry, streaks, events, audit));
        endpoints.MapGet("/{id}/secret", GetSecret);
        endpoints.MapPost("/{id}/secret/rotate", RotateSecret);
        endpoints.MapGet("/{id}/attempts", Attempts);
        endpoints.MapFilterTest();
        // ?series=hourly adds the week hour by hour (the console's chart).
        endpoints.MapGet("/{id}/stats", async (string id, string? series, ClaimsPrincipal user, EndpointRegistry registry, EndpointStats stats, DeliveryStore deliveries) =>
            series is not (null or "hourly") ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["series"] = ["series is 'hourly' or left out."] })
            : await Visible(id, user, registry) is null ? (IResult)NotFound(id)
                : TypedResults.Ok(await stats.ReadAsync(id, DateTimeOffset.UtcNow, hourly: series == "hourly") with { Pending = await deliveries.PendingCountAsync(id) }));
        return routes;
    }

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal user, EndpointRegistry registry, DestinationGuard guard, TenantQuotaStore quotas, EventTypeCatalog catalog, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<EndpointRequest>(request, MaxRequestBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var (tenant, forbidden) = Caller.Of(user).ActFor(body.Value!.Tenant);
        if (forbidden is not null)
        {
            return forbidden;
        }
        var input = body.Value! with { Tenant = tenant };
        var errors = input.Check(creating: true, guard, input.Tenant);
        if (errors.Count == 0 && await StrictCatalog.UnknownAsync(catalog, input.EventTypes) is { Length: > 0 } unknown)
        {
            errors["eventTypes"] = unknown;
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The endpoint is not valid");
        }
        var now = DateTimeOffset.UtcNow;
        var endpoint = input.ApplyTo(new WebhookEndpoint
        {
            Id = SortableId.New("ep"),
            Tenant = input.Tenant!,
            Url = input.Url!,
            EventTypes = input.EventTypes!,
            Secret = WebhookSecret.Generate(),
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        }, now);
        var quota = (await quotas.ForTenantAsync(endpoint.Tenant)).Endpoints;
        if (!await registry.CreateAsync(endpoint, quota))
        {
            return QuotaAnswers.TooManyEndpoints(endpoint.Tenant, quota);
        }
        await audit.RecordAsync(user, "endpoint.created", endpoint.Tenant, endpoint.Id, new { url = RedactedUrl.Of(endpoint.Url), endpoint.EventTypes });
        return TypedResults.Created($"/v1/endpoints/{endpoint.Id}", EndpointView.Of(request.HttpContext.Response.Tag(endpoint), withSecret: true));
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, EndpointRegistry registry, string? tenant, string? after, int? limit)
    {
        (tenant, var refused) = Caller.Of(user).ListFor(tenant);
        if (refused is not null)
        {
            return refused;
        }
        if (Paging.Problem(request, limit) is { } problem)
        {
            return problem;
        }
        var page = await registry.ListAsync(tenant, after, limit ?? Paging.DefaultLimit);
        var next = page.Count == (limit ?? Paging.DefaultLimit) ? page[^1].Id : null;
        // A portal session limited to some endpoints lists those alone (a page may then be short).
        var caller = Caller.Of(user);
        return TypedResults.Ok(new EndpointPage([.. page.Where(e => caller.SeesEndpoint(e.Id)).Select(e => EndpointView.Of(e))], next));
    }

    private static async Task<Results<Ok<EndpointView>, ProblemHttpResult>> Get(string id, HttpResponse response, ClaimsPrincipal user, EndpointRegistry registry) =>
        await Visible(id, user, registry) is { } endpoint ? TypedResults.Ok(EndpointView.Of(response.Tag(endpoint))) : NotFound(id);

    /// <summary>The endpoint, unless it does not exist or belongs to a tenant the caller's key cannot see.</summary>
    private static async Task<WebhookEndpoint?> Visible(string id, ClaimsPrincipal user, EndpointRegistry registry) =>
        await registry.GetAsync(id) is { } endpoint && Caller.Of(user).Sees(endpoint.Tenant) ? endpoint : null;

    private static async Task<IResult> Update(string id, HttpRequest request, ClaimsPrincipal user, EndpointRegistry registry, DestinationGuard guard, EventTypeCatalog catalog, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<EndpointRequest>(request, MaxRequestBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        if (await Visible(id, user, registry) is not { } endpoint)
        {
            return NotFound(id);
        }
        var errors = body.Value!.Check(creating: false, guard, endpoint.Tenant);
        if (errors.Count == 0 && await StrictCatalog.UnknownAsync(catalog, body.Value.EventTypes) is { Length: > 0 } unknown)
        {
            errors["eventTypes"] = unknown;
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The change is not valid");
        }
        var fields = JsonSerializer.SerializeToElement(body.Value, WebhooksJson.Options).EnumerateObject().Select(f => f.Name).ToList();
        return await ChangeAsync(id, request.HttpContext, user, registry, endpoint => body.Value.ApplyTo(endpoint, DateTimeOffset.UtcNow), e => EndpointView.Of(e), audit, "endpoint.updated", new { fields });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HttpRequest request, ClaimsPrincipal user, EndpointRegistry registry, EndpointDeletion deletion, AuditLog audit)
    {
        if (await Visible(id, user, registry) is not { } endpoint)
        {
            return NotFound(id);
        }
        if (EndpointETag.IfMatch(request) is { } precondition && !precondition(endpoint))
        {
            return EndpointETag.Stale(endpoint);
        }
        var outcome = await deletion.DeleteAsync(endpoint, request.Headers.IfMatch.Count > 0 ? endpoint.Version : null);
        if (outcome == ChangeOutcome.Changed)
        {
            await audit.RecordAsync(user, "endpoint.deleted", endpoint.Tenant, endpoint.Id, new { url = RedactedUrl.Of(endpoint.Url) });
        }
        return outcome switch
        {
            ChangeOutcome.Changed => TypedResults.NoContent(),
            ChangeOutcome.Stale => EndpointETag.Stale(await registry.GetAsync(id) ?? endpoint),
            _ => NotFound(id),
        };
    }

    private static async Task<Results<Ok<EndpointView>, ProblemHttpResult>> SetEnabled(string id, bool enabled, HttpContext http, ClaimsPrincipal user, EndpointRegistry registry, FailureStreaks streaks, EventPublisher events, AuditLog audit)
    {
        if (enabled && await Visible(id, user, registry) is { Enabled: false })
        {
            // Its old failures are not held against it: otherwise its first failure would disable it again at once.
            await streaks.ForgetAsync(id);
        }
        var switchedOn = false;
        var result = await ChangeAsync(id, http, user, registry, endpoint =>
        {
            switchedOn = enabled && !endpoint.Enabled;
            var now = DateTimeOffset.UtcNow;
            // Switched off by hand says so; one already off keeps why it went off.
            return enabled ? endpoint with { Enabled = true, DisabledReason = null, DisabledAt = null, UpdatedAt = now }
                : endpoint.Enabled ? endpoint with { Enabled = false, DisabledReason = "manual", DisabledAt = now, UpdatedAt = now }
                : endpoint with { UpdatedAt = now };
        }, e => EndpointView.Of(e), audit, enabled ? "endpoint.enabled" : "endpoint.disabled");
        if (switchedOn && result.Result is Ok<EndpointView> { Value: { } view })
        {
            var at = DateTimeOffset.UtcNow;
            var announced = OperationalEvents.Create(view.Tenant, OperationalEvents.EndpointEnabled, new { EndpointId = view.Id, Url = RedactedUrl.Of(view.Url), view.Description, EnabledAt = at }, at);
            await events.PublishAsync(new StoredEvent { Id = announced.EventId!, Type = announced.Type, Tenant = announced.Tenant, OccurredAt = at, ReceivedAt = at, Data = announced.Data }, http.RequestAborted);
        }
        return result;
    }

    /// <summary>
    /// Applies a change to the endpoint as it is when written (a write racing another is applied to
    /// the other's result, never over it), under the request's <c>If-Match</c> if it has one.
    /// </summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult>> ChangeAsync<T>(string id, HttpContext http, ClaimsPrincipal user, EndpointRegistry registry,
        Func<WebhookEndpoint, WebhookEndpoint> change, Func<WebhookEndpoint, T> answer, AuditLog audit, string action, object? detail = null)
    {
        if (await Visible(id, user, registry) is null)
        {
            return NotFound(id);
        }
        var result = await registry.ChangeAsync(id, change, EndpointETag.IfMatch(http.Request));
        if (result is { Outcome: ChangeOutcome.Changed, Endpoint: { } written })
        {
            await audit.RecordAsync(user, action, written.Tenant, written.Id, detail);
        }
        return result switch
        {
            { Outcome: ChangeOutcome.Stale, Endpoint: { } current } => EndpointETag.Stale(current),
            { Endpoint: { } changed } => TypedResults.Ok(answer(http.Response.Tag(changed))),
            _ => NotFound(id),
        };
    }

    private static async Task<Results<Ok<EndpointSecretView>, ProblemHttpResult>> GetSecret(string id, ClaimsPrincipal user, EndpointRegistry registry) =>
        await Visible(id, user, registry) is { } e
            ? TypedResults.Ok(new EndpointSecretView(e.Secret, e.PreviousSecretExpiresAt > DateTimeOffset.UtcNow ? e.PreviousSecret : null, e.PreviousSecretExpiresAt > DateTimeOffset.UtcNow ? e.PreviousSecretExpiresAt : null))
            : NotFound(id);

    private static Task<Results<Ok<EndpointSecretView>, ProblemHttpResult>> RotateSecret(string id, HttpContext http, ClaimsPrincipal user, EndpointRegistry registry, IOptions<IngestOptions> options, AuditLog audit) =>
        ChangeAsync(id, http, user, registry, endpoint =>
        {
            var now = DateTimeOffset.UtcNow;
            return endpoint with
            {
                Secret = WebhookSecret.Generate(),
                PreviousSecret = endpoint.Secret,
                PreviousSecretExpiresAt = now + options.Value.SecretRotationGrace,
                UpdatedAt = now,
            };
        }, rotated => new EndpointSecretView(rotated.Secret, rotated.PreviousSecret, rotated.PreviousSecretExpiresAt), audit, "endpoint.secret_rotated");

    private static async Task<IResult> Attempts(string id, HttpRequest request, ClaimsPrincipal user, EndpointRegistry registry, AttemptLogs attempts, string? after, int? limit)
    {
        var (parts, cursorProblem) = Paging.Read(after, 3);
        AttemptPosition? position = null;
        if (parts is not null)
        {
            if (!int.TryParse(parts[1], out var number) || !long.TryParse(parts[2], out var ticks))
            {
                return Paging.NotACursor;
            }
            position = new AttemptPosition(parts[0], number, ticks);
        }
        if ((Paging.Problem(request, limit) ?? cursorProblem) is { } problem)
        {
            return problem;
        }
        if (await Visible(id, user, registry) is null)
        {
            return NotFound(id);
        }
        var (page, next) = await attempts.OfEndpointAsync(id, position, limit ?? Paging.DefaultLimit);
        var nextAfter = next is null ? null : Paging.Cursor(next.DeliveryId, next.Number.ToString(), next.At.UtcTicks.ToString());
        return TypedResults.Ok(new AttemptPage([.. page.Select(AttemptView.Of)], nextAfter));
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem($"No endpoint '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
