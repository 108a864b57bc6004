using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Core;
using Webhooks.Core.Storage;

namespace Webhooks.Ingest.Events;

/// <summary>
/// <c>Idempotency-Key</c> reservations: the key is bound to an event id before the publish and
/// marked done after the confirm, so a retry after a 503 publishes the same event id again
/// (the fan-out skips ids it has already fanned out) and a retry after a 202 publishes nothing.
/// </summary>
public sealed class IdempotencyKeys(RedisStorage redis, IOptions<IngestOptions> options)
{
    public const int MaxKeyLength = 255;

    private readonly IDatabase _db = redis.Database;

    public sealed record Reservation(string EventId, string Fingerprint, bool Done);

    private static string Key(string tenant, string key) => $"idempotency:{tenant}:{key}";

    /// <summary>Reserves the key for <paramref name="eventId"/>, or returns the reservation it already has.</summary>
    public async Task<Reservation> ReserveAsync(string tenant, string key, string eventId, string fingerprint)
    {
        var reservation = new Reservation(eventId, fingerprint, Done: false);
        if (await _db.StringSetAsync(Key(tenant, key), Serialize(reservation), options.Value.IdempotencyKeyLifetime, When.NotExists))
        {
            return reservation;
        }
        var existing = await _db.StringGetAsync(Key(tenant, key));
        return existing.IsNullOrEmpty
            ? await ReserveAsync(tenant, key, eventId, fingerprint) // expired in between
            : JsonSerializer.Deserialize<Reservation>((string)existing!, WebhooksJson.Options)!;
    }

    public Task MarkDoneAsync(string tenant, string key, Reservation reservation) =>
        _db.StringSetAsync(Key(tenant, key), Serialize(reservation with { Done = true }), expiry: null, keepTtl: true);

    private static string Serialize(Reservation reservation) => JsonSerializer.Serialize(reservation, WebhooksJson.Options);
}
