using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Webhooks.Core;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Deliveries;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Jobs;

/// <summary>
/// <c>/v1/jobs</c>: redrive, purge, recover and replay beyond one page, run in the background
/// (<see cref="JobRunner"/>); <c>202</c> with the job, then its progress by <c>GET</c>.
/// </summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder routes)
    {
        var jobs = routes.MapGroup("/v1/jobs").WithTags("Jobs").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        jobs.MapPost("/", Create);
        jobs.MapGet("/", List);
        jobs.MapGet("/{id}", Get);
        return routes;
    }

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal user, JobStore jobs, JobRunner runner, EndpointRegistry registry, DeadLetterScope scope, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<JobRequest>(request, 8 * 1024, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var input = body.Value!;
        var caller = Caller.Of(user);
        var (tenant, forbidden) = caller.ActFor(input.Tenant);
        if (forbidden is not null)
        {
            return forbidden;
        }
        if (input.Kind is null || !JobKind.All.Contains(input.Kind))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = [$"kind is one of {string.Join(", ", JobKind.All.Order())}."] });
        }
        if (tenant is not null && EventRules.CheckTenant(tenant) is { } tenantError)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tenant"] = [tenantError] });
        }
        if (input.Kind is JobKind.Recover or JobKind.Replay)
        {
            var (endpoint, refused) = await Window.CheckAsync(input.EndpointId, input.Since, input.Until, input.Kind, user, registry);
            if (endpoint is null)
            {
                return refused!;
            }
            tenant = endpoint.Tenant;
        }
        else
        {
            // Scoped like the dead-letter API's own filter: by endpoint alone, the endpoint's tenant.
            var (filter, refused) = await scope.ResolveAsync(user, input.EndpointId, input.Tenant, input.Reason, input.Since, input.Until);
            if (filter is null)
            {
                return refused!;
            }
            tenant = filter.Tenant;
        }
        var now = clock.GetUtcNow();
        var job = new Job
        {
            Id = SortableId.New("job"),
            Kind = input.Kind,
            Tenant = tenant,
            EndpointId = input.EndpointId,
            Reason = input.Reason,
            Since = input.Since,
            Until = input.Until,
            Actor = AuditLog.ActorOf(user),
            ActorRole = caller.Role,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await jobs.CreateAsync(job);
        await audit.RecordAsync(user, "job.created", tenant, job.Id, new { job.Kind, job.EndpointId, job.Reason, job.Since, job.Until });
        runner.Wake();
        return TypedResults.Accepted($"/v1/jobs/{job.Id}", job);
    }

    private static async Task<Results<Ok<Job>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, JobStore jobs) =>
        await jobs.GetAsync(id) is { } job && (Caller.Of(user).Tenant is null || Caller.Of(user).Tenant == job.Tenant)
            ? TypedResults.Ok(job)
            : TypedResults.Problem($"No job '{id}' (finished jobs are kept for {JobStore.KeptAfterDone.TotalDays} days).", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, JobStore jobs, string? tenant, string? after, int? limit)
    {
        var (scoped, refused) = Caller.Of(user).ListFor(tenant);
        if (refused is not null)
        {
            return refused;
        }
        var (position, cursorProblem) = Paging.ReadPosition(after);
        if ((Paging.Problem(request, limit) ?? cursorProblem) is { } problem)
        {
            return problem;
        }
        var (found, next) = await jobs.ListAsync(scoped, position, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new JobList(found, Paging.Cursor(next)));
    }
}

/// <summary>
/// <c>POST /v1/jobs</c>: <c>redrive</c> and <c>purge</c> take the dead-letter filters
/// (<c>endpointId, tenant, reason, since, until</c>); <c>recover</c> and <c>replay</c> an endpoint and a window.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record JobRequest(string? Kind, string? EndpointId, string? Tenant, string? Reason, DateTimeOffset? Since, DateTimeOffset? Until);

/// <summary>A page of jobs, newest first.</summary>
public sealed record JobList(IReadOnlyList<Job> Data, string? NextAfter);
