using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core;
using Webhooks.Core.Storage;

namespace Webhooks.Ingest.Events;

/// <summary>
/// <c>Idempotency-Key</c> reservations: the key is bound to an event id before the publish and
/// marked done after the confirm, so a retry after a 503 publishes the same event id again
/// (the fan-out skips ids it has already fanned out) and a retry after a 202 publishes nothing. A
/// batch binds its key to the ids of all its events: a retry of a batch that failed halfway
/// publishes the same ids, never a second copy of the events that were confirmed.
/// </summary>
public sealed class IdempotencyKeys(RedisStorage redis, IOptions<IngestOptions> options)
{
    public const int MaxKeyLength = 255;

    private readonly IDatabase _db = redis.Database;

    /// <summary>The event id a key is bound to (a batch: the ids of its events, in order).</summary>
    public sealed record Reservation(string EventId, string Fingerprint, bool Done, IReadOnlyList<string>? BatchIds = null);

    /// <summary>Single events and batches have keys of their own: the same key names one event, and one batch.</summary>
    private static string Key(string tenant, string key, bool batch) => batch ? RedisKeys.Tenant.BatchIdempotency(tenant, key) : RedisKeys.Tenant.Idempotency(tenant, key);

    /// <summary>Reserves the key for <paramref name="eventId"/>, or returns the reservation it already has.</summary>
    public Task<Reservation> ReserveAsync(string tenant, string key, string eventId, string fingerprint) =>
        ReserveAsync(Key(tenant, key, batch: false), new Reservation(eventId, fingerprint, Done: false));

    /// <summary>Reserves the key for a batch of events with <paramref name="eventIds"/>, or returns the reservation it already has.</summary>
    public Task<Reservation> ReserveBatchAsync(string tenant, string key, IReadOnlyList<string> eventIds, string fingerprint) =>
        ReserveAsync(Key(tenant, key, batch: true), new Reservation(eventIds[0], fingerprint, Done: false, eventIds));

    public Task MarkDoneAsync(string tenant, string key, Reservation reservation) =>
        _db.StringSetAsync(Key(tenant, key, reservation.BatchIds is not null), Serialize(reservation with { Done = true }), expiry: null, keepTtl: true);

    private async Task<Reservation> ReserveAsync(string redisKey, Reservation reservation)
    {
        if (await _db.StringSetAsync(redisKey, Serialize(reservation), options.Value.IdempotencyKeyLifetime, When.NotExists))
        {
            return reservation;
        }
        var existing = await _db.StringGetAsync(redisKey);
        return existing.IsNullOrEmpty
            ? await ReserveAsync(redisKey, reservation) // expired in between
            : JsonSerializer.Deserialize<Reservation>((string)existing!, WebhooksJson.Options)!;
    }

    private static string Serialize(Reservation reservation) => JsonSerializer.Serialize(reservation, WebhooksJson.Options);
}
