using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.Storage;

namespace Webhooks.Ingest.Deliveries;

/// <summary>
/// Redrive, purge, replay and recover, one page at a time from a position: the API runs one page a
/// call, a job runs them all. Each item is claimed before it is acted on (a dead letter taken from the
/// index, a replayed delivery recorded only if absent, a recovered one only while it is still failing),
/// so a page run twice — by two callers, or by a job resumed after a crash — acts on each item once.
/// </summary>
public sealed class BulkDeliveries(DeadLetterIndex deadLetters, EventStore store, TenantEvents events, DeliveryStore deliveries, AttemptLogs attempts, DeliveryRequeue requeue)
{
    public const int PageSize = 1000;

    public async Task<(int Redriven, int NotRedrivable, IndexPosition? Next)> RedriveAsync(DeadLetterFilter filter, IndexPosition? after, CancellationToken cancellationToken)
    {
        var page = await deadLetters.ListAsync(filter, after, PageSize);
        return (await RedriveAsync(page.Found, cancellationToken), page.Found.Count(d => d.Delivery is null), page.Next);
    }

    public async Task<(int Purged, IndexPosition? Next)> PurgeAsync(DeadLetterFilter filter, IndexPosition? after)
    {
        var page = await deadLetters.ListAsync(filter, after, PageSize);
        var purged = 0;
        foreach (var deadLetter in page.Found)
        {
            if (!await deadLetters.RemoveAsync(deadLetter))
            {
                continue; // a redrive or another purge took it first
            }
            purged++;
            if (deadLetter.EndpointId is { } endpointId)
            {
                // Its delivery stays dead-lettered, and may be sent again by recover or replay.
                await deliveries.MarkPurgedAsync(deadLetter.EventId, endpointId, deadLetter.Id);
            }
        }
        return (purged, page.Next);
    }

    /// <summary>
    /// The events of the endpoint's types it never received in the window: on the first page, those
    /// dead-lettered while it was disabled (redriven); on each, a page of those it has no delivery of.
    /// </summary>
    public async Task<(int Replayed, int Redriven, IndexPosition? Next)> ReplayAsync(WebhookEndpoint endpoint, DateTimeOffset since, DateTimeOffset? until, IndexPosition? after, CancellationToken cancellationToken)
    {
        var redriven = after is null
            ? await RedriveAsync((await deadLetters.ListAsync(new DeadLetterFilter(EndpointId: endpoint.Id, Reason: DeadLetterReasons.EndpointDisabled, Since: since, Until: until), null, PageSize * 5)).Found, cancellationToken)
            : 0;
        var (missing, next) = await events.NeverDeliveredAsync(endpoint.Tenant, endpoint.Id, endpoint.Subscribes, since, until, after);
        var replayed = 0;
        var lane = await requeue.LaneAsync(endpoint.Tenant, Math.Max(1, missing.Count), cancellationToken);
        foreach (var eventId in missing.AsEnumerable().Reverse())
        {
            // Claimed first, like a fan-out: of two replays (or a replay and a fan-out) racing, one sends it.
            var deliveryId = SortableId.New("dlv");
            if (await store.GetAsync(eventId) is not { Test: false } stored)
            {
                continue;
            }
            if ((await deliveries.AddPendingAsync(eventId, [(endpoint.Id, deliveryId)]))[0] == deliveryId)
            {
                await requeue.SendAsync(lane, DeliverWebhook.Of(stored, endpoint.Id, deliveryId), 0, cancellationToken);
                replayed++;
            }
            else if (await SendPurgedAsync(lane, stored, endpoint.Id, cancellationToken))
            {
                replayed++;
            }
        }
        return (replayed, redriven, next);
    }

    /// <summary>
    /// A page of the endpoint's dead letters in the window, redriven; after the last page, the deliveries whose
    /// latest attempt, in the window, failed and that are still waiting for a retry (sent now, on a chain that
    /// replaces the waiting one) or were dead-lettered and purged since (sent again).
    /// </summary>
    public async Task<(int Redriven, int Resent, IndexPosition? Next)> RecoverAsync(WebhookEndpoint endpoint, DateTimeOffset since, DateTimeOffset? until, IndexPosition? after, CancellationToken cancellationToken)
    {
        var page = await deadLetters.ListAsync(new DeadLetterFilter(EndpointId: endpoint.Id, Since: since, Until: until), after, PageSize);
        var redriven = await RedriveAsync(page.Found, cancellationToken);
        if (page.Next is not null)
        {
            return (redriven, 0, page.Next);
        }
        var resent = 0;
        var lane = await requeue.LaneAsync(endpoint.Tenant, 1, cancellationToken);
        foreach (var attempt in await FailingAsync(endpoint.Id, since, until))
        {
            if (await deliveries.GetAsync(attempt.EventId, endpoint.Id) is not { } record || record.Id != attempt.DeliveryId
                || await store.GetAsync(attempt.EventId) is not { Test: false } stored)
            {
                continue;
            }
            if (record.Status == DeliveryStatus.Failed)
            {
                await requeue.SendAsync(lane, DeliverWebhook.Of(stored, endpoint.Id, record.Id), record.Attempts, cancellationToken);
                resent++;
            }
            else if (record is { Status: DeliveryStatus.DeadLettered, Purged: true } && await SendPurgedAsync(lane, stored, endpoint.Id, cancellationToken))
            {
                resent++;
            }
        }
        return (redriven, resent, null);
    }

    /// <summary>Sends again a delivery whose dead letter was purged, once it is claimed (false: not purged, or another caller claimed it).</summary>
    private async Task<bool> SendPurgedAsync(MassTransit.ISendEndpoint lane, StoredEvent stored, string endpointId, CancellationToken cancellationToken)
    {
        var chain = DeliverWebhook.NewChain();
        if (await deliveries.ClaimPurgedAsync(stored.Id, endpointId, chain) is not { } claimed)
        {
            return false;
        }
        await requeue.SendOnAsync(lane, DeliverWebhook.Of(stored, endpointId, claimed.Id), claimed.Attempts, chain, cancellationToken);
        return true;
    }

    /// <summary>
    /// Sends the dead letters' deliveries again (see <see cref="DeliveryRequeue"/>); each is taken from the
    /// index before it is sent, so of two redrives racing only one sends it. Returns how many were sent.
    /// </summary>
    public async Task<int> RedriveAsync(IEnumerable<DeadLetter> found, CancellationToken cancellationToken)
    {
        var redriven = 0;
        foreach (var byTenant in found.Where(d => d.Delivery is not null).GroupBy(d => d.Tenant))
        {
            var lane = await requeue.LaneAsync(byTenant.Key, byTenant.Count(), cancellationToken);
            foreach (var deadLetter in byTenant)
            {
                if (!await deadLetters.RemoveAsync(deadLetter))
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
                    await deadLetters.AddAsync(deadLetter); // not sent: it stays a dead letter
                    throw;
                }
                redriven++;
            }
        }
        return redriven;
    }

    /// <summary>The latest attempt of each delivery in the endpoint's attempt log whose latest attempt failed within the window.</summary>
    private async Task<IReadOnlyList<DeliveryAttempt>> FailingAsync(string endpointId, DateTimeOffset since, DateTimeOffset? until)
    {
        var latest = new Dictionary<string, DeliveryAttempt>();
        AttemptPosition? after = null;
        do
        {
            var (page, next) = await attempts.OfEndpointAsync(endpointId, after, 200);
            foreach (var attempt in page)
            {
                latest.TryAdd(attempt.DeliveryId, attempt); // newest first
            }
            after = next is null || page[^1].At < since ? null : AttemptPosition.Of(next);
        }
        while (after is not null);
        return [.. latest.Values.Where(a => !a.Succeeded && a.At >= since && (until is null || a.At < until))];
    }
}
