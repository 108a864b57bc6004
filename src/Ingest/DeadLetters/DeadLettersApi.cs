using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Deliveries;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.DeadLetters;

/// <summary>The dead letters, read from their Redis index: list, show, redrive and purge by filter.</summary>
public static class DeadLettersApi
{
    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder routes)
    {
        var deadLetters = routes.MapGroup("/v1/dead-letters").WithTags("Dead letters").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        deadLetters.MapGet("/", List);
        deadLetters.MapGet("/{id}", Get);
        deadLetters.MapPost("/redrive", Redrive);
        deadLetters.MapDelete("/", Purge);
        return routes;
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, DeadLetterIndex index, DeadLetterScope scope, string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after, int? limit)
    {
        if ((Paging.Problem(request, limit) ?? Position(after).Problem) is { } problem)
        {
            return problem;
        }
        var (filter, refused) = await scope.ResolveAsync(user, endpointId, tenant, reason, since, until);
        if (filter is null)
        {
            return refused!;
        }
        var page = await index.ListAsync(filter, Position(after).Position, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new DeadLetterList([.. page.Found.Select(DeadLetterView.Of)], NextAfter(page)));
    }

    private static (IndexPosition? Position, IResult? Problem) Position(string? after) => Paging.ReadPosition(after);

    private static string? NextAfter(DeadLetterPage page) => Paging.Cursor(page.Next);

    private static async Task<Results<Ok<DeadLetterView>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, DeadLetterIndex index) =>
        await index.GetAsync(id) is { } deadLetter && Caller.Of(user).Sees(deadLetter.Tenant)
            ? TypedResults.Ok(DeadLetterView.Of(deadLetter))
            : TypedResults.Problem($"No dead letter '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>
    /// Sends a page of the matching deliveries again with a fresh retry schedule, through their tenant's lanes
    /// (counted against its allowance like any delivery); each dead letter is taken from the index
    /// before it is sent, so two redrives racing send it once. An invalid event cannot be redriven and stays.
    /// Beyond one page: a job (<c>POST /v1/jobs</c>).
    /// </summary>
    private static async Task<IResult> Redrive(ClaimsPrincipal user, BulkDeliveries bulk, DeadLetterScope scope, AuditLog audit,
        string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after, CancellationToken cancellationToken)
    {
        if (Position(after).Problem is { } problem)
        {
            return problem;
        }
        var (filter, refused) = await scope.ResolveAsync(user, endpointId, tenant, reason, since, until);
        if (filter is null)
        {
            return refused!;
        }
        var (redriven, notRedrivable, next) = await bulk.RedriveAsync(filter, Position(after).Position, cancellationToken);
        await audit.RecordAsync(user, "dead_letters.redriven", filter.Tenant, endpointId ?? "(filter)", new { endpointId, tenant, reason, since, until, redriven });
        return TypedResults.Ok(new RedriveResult(redriven, notRedrivable, Paging.Cursor(next)));
    }

    private static async Task<IResult> Purge(ClaimsPrincipal user, BulkDeliveries bulk, DeadLetterScope scope, AuditLog audit, string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after)
    {
        if (Position(after).Problem is { } problem)
        {
            return problem;
        }
        var (filter, refused) = await scope.ResolveAsync(user, endpointId, tenant, reason, since, until);
        if (filter is null)
        {
            return refused!;
        }
        var (purged, next) = await bulk.PurgeAsync(filter, Position(after).Position);
        await audit.RecordAsync(user, "dead_letters.purged", filter.Tenant, endpointId ?? "(filter)", new { endpointId, tenant, reason, since, until, purged });
        return TypedResults.Ok(new PurgeResult(purged, Paging.Cursor(next)));
    }
}
