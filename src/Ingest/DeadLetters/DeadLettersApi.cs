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
    private const int MaxPerOperation = 1000;

    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder routes)
    {
        var deadLetters = routes.MapGroup("/v1/dead-letters").WithTags("Dead letters").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        deadLetters.MapGet("/", List);
        deadLetters.MapGet("/{id}", Get);
        deadLetters.MapPost("/redrive", Redrive);
        deadLetters.MapDelete("/", Purge);
        return routes;
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, DeadLetterIndex index, string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after, int? limit)
    {
        if ((Paging.Problem(request, limit) ?? Position(after).Problem) is { } problem)
        {
            return problem;
        }
        var page = await index.ListAsync(new DeadLetterFilter(endpointId, Caller.Of(user).ListFilter(tenant), reason, since, until), Position(after).Position, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new DeadLetterList([.. page.Found.Select(DeadLetterView.Of)], NextAfter(page)));
    }

    private static (IndexPosition? Position, IResult? Problem) Position(string? after) => Paging.ReadPosition(after);

    private static string? NextAfter(DeadLetterPage page) => Paging.Cursor(page.Next);

    private static async Task<Results<Ok<DeadLetterView>, ProblemHttpResult>> Get(string id, ClaimsPrincipal user, DeadLetterIndex index) =>
        await index.GetAsync(id) is { } deadLetter && Caller.Of(user).Sees(deadLetter.Tenant)
            ? TypedResults.Ok(DeadLetterView.Of(deadLetter))
            : TypedResults.Problem($"No dead letter '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>
    /// Sends the matching deliveries again with a fresh retry schedule, through their tenant's lanes
    /// (counted against its allowance like any delivery); each dead letter is taken from the index
    /// before it is sent, so two redrives racing send it once. An invalid event cannot be redriven and stays.
    /// </summary>
    private static async Task<IResult> Redrive(ClaimsPrincipal user, DeadLetterIndex index, DeliveryRequeue requeue, AuditLog audit,
        string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after, CancellationToken cancellationToken)
    {
        if (Position(after).Problem is { } problem)
        {
            return problem;
        }
        var page = await index.ListAsync(new DeadLetterFilter(endpointId, Caller.Of(user).ListFilter(tenant), reason, since, until), Position(after).Position, MaxPerOperation);
        var matches = page.Found;
        var redriven = await RedriveAsync(index, requeue, matches, cancellationToken);
        await audit.RecordAsync(user, "dead_letters.redriven", Caller.Of(user).ListFilter(tenant), endpointId ?? "(filter)", new { endpointId, tenant, reason, since, until, redriven });
        return TypedResults.Ok(new RedriveResult(redriven, matches.Count(d => d.Delivery is null), NextAfter(page)));
    }

    /// <summary>
    /// Sends the dead letters' deliveries again (see <see cref="DeliveryRequeue"/>); each is taken from the
    /// index before it is sent, so of two redrives racing only one sends it. Returns how many were sent.
    /// </summary>
    public static async Task<int> RedriveAsync(DeadLetterIndex index, DeliveryRequeue requeue, IEnumerable<DeadLetter> deadLetters, CancellationToken cancellationToken)
    {
        var redriven = 0;
        foreach (var byTenant in deadLetters.Where(d => d.Delivery is not null).GroupBy(d => d.Tenant))
        {
            var lane = await requeue.LaneAsync(byTenant.Key, byTenant.Count(), cancellationToken);
            foreach (var deadLetter in byTenant)
            {
                if (!await index.RemoveAsync(deadLetter))
                {
                    continue; // another redrive or a purge took it first
                }
                var delivery = deadLetter.Delivery!;
                try
                {
                    await requeue.SendAsync(lane, delivery, deadLetter.LastAttempt?.Number ?? delivery.Number - 1, cancellationToken);
                }
                catch
                {
                    await index.AddAsync(deadLetter); // not sent: it stays a dead letter
                    throw;
                }
                redriven++;
            }
        }
        return redriven;
    }

    private static async Task<IResult> Purge(ClaimsPrincipal user, DeadLetterIndex index, AuditLog audit, string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after)
    {
        if (Position(after).Problem is { } problem)
        {
            return problem;
        }
        var page = await index.ListAsync(new DeadLetterFilter(endpointId, Caller.Of(user).ListFilter(tenant), reason, since, until), Position(after).Position, MaxPerOperation);
        foreach (var deadLetter in page.Found)
        {
            await index.RemoveAsync(deadLetter);
        }
        await audit.RecordAsync(user, "dead_letters.purged", Caller.Of(user).ListFilter(tenant), endpointId ?? "(filter)", new { endpointId, tenant, reason, since, until, purged = page.Found.Count });
        return TypedResults.Ok(new PurgeResult(page.Found.Count, NextAfter(page)));
    }
}
