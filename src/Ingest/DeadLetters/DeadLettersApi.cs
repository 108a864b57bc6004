using System.Security.Claims;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Events;
using Webhooks.Core.Fairness;
using Webhooks.Core.Storage;
using Webhooks.Core.Topology;
using Webhooks.Ingest.Auth;
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
    private static async Task<IResult> Redrive(ClaimsPrincipal user, DeadLetterIndex index, EventStore store, ISendEndpointProvider bus, TopologyDeclaration topology,
        TenantLanes lanes, string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after, CancellationToken cancellationToken)
    {
        if (Position(after).Problem is { } problem)
        {
            return problem;
        }
        await topology.Declared.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        var page = await index.ListAsync(new DeadLetterFilter(endpointId, Caller.Of(user).ListFilter(tenant), reason, since, until), Position(after).Position, MaxPerOperation);
        var matches = page.Found;
        var redriven = 0;
        foreach (var byTenant in matches.Where(d => d.Delivery is not null).GroupBy(d => d.Tenant))
        {
            var lane = await lanes.ChooseAsync(FairnessStage.Deliveries, byTenant.Key, byTenant.Count());
            var delivery = await bus.GetSendEndpoint(Queues.Address(lane));
            foreach (var deadLetter in byTenant)
            {
                if (!await index.RemoveAsync(deadLetter))
                {
                    continue; // another redrive or a purge took it first
                }
                var message = deadLetter.Delivery!;
                try
                {
                    await store.MarkPendingAsync(message.EventId, message.EndpointId, message.DeliveryId);
                    // A fresh schedule; its attempts go on counting from the last one.
                    await delivery.Send(message with { Attempt = 1, DueAt = null, EarlierAttempts = deadLetter.LastAttempt?.Number ?? message.Number - 1 }, cancellationToken);
                }
                catch
                {
                    await index.AddAsync(deadLetter); // not sent: it stays a dead letter
                    throw;
                }
                redriven++;
            }
        }
        return TypedResults.Ok(new RedriveResult(redriven, matches.Count(d => d.Delivery is null), NextAfter(page)));
    }

    private static async Task<IResult> Purge(ClaimsPrincipal user, DeadLetterIndex index, string? endpointId, string? tenant, string? reason, DateTimeOffset? since, DateTimeOffset? until, string? after)
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
        return TypedResults.Ok(new PurgeResult(page.Found.Count, NextAfter(page)));
    }
}
