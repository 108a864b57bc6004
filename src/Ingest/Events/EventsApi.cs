using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Webhooks.Core;
using Webhooks.Core.Deliveries;
using Webhooks.Core.Endpoints;
using Webhooks.Core.Events;
using Webhooks.Core.EventTypes;
using Webhooks.Core.Quotas;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Quotas;
using Webhooks.Ingest.Requests;
using Webhooks.ServiceDefaults;

namespace Webhooks.Ingest.Events;

public static class EventsApi
{
    private const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var events = routes.MapGroup("/v1/events").WithTags("Events").RequireAuthorization(AuthRegistration.Publisher).RequireWellFormedIds();
        events.MapPost("/", PublishEvent);
        events.MapPost("/batch", PublishBatch);
        return routes;
    }

    private static async Task<IResult> PublishEvent(HttpRequest request, ClaimsPrincipal user, EventPublisher publisher, IdempotencyKeys idempotency, TenantQuotaStore quotas, EventTypeCatalog catalog, IOptions<IngestOptions> options, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<EventRequest>(request, options.Value.MaxEventBytes, cancellationToken);
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
        var errors = EventRules.Check(input.Type, input.Tenant, input.Data, input.Resource);
        if (EventRules.CheckPublishable(input.Type) is { } reserved)
        {
            errors["type"] = [reserved];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The event is not valid");
        }
        // Checked before anything is stored or counted, but after a keyed request already accepted is answered again:
        // a retry of an event accepted before its type's schema changed is that event, not a new one to refuse.
        var schemas = await catalog.CurrentAsync();
        IReadOnlyList<string>? marks = null;
        IResult? NonConforming()
        {
            (marks, var refused) = SchemaCheck.Of(schemas, input.Type!, input.Data);
            return refused is null ? null : SchemaCheck.Refusal(request.HttpContext, $"'{input.Type}' enforces its schema; nothing was accepted.", refused.Select(v => ("", v)));
        }
        var (key, keyProblem) = IdempotencyKeyOf(request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }
        // Counted before anything is stored: over the quota, nothing is.
        var overQuota = () => OverQuotaAsync(quotas, [(input.Tenant!, body.Bytes.Length)]);
        if (key.Length == 0)
        {
            if ((NonConforming() ?? await overQuota()) is { } refused)
            {
                return refused;
            }
            var stored = Accept(input, SortableId.New("evt"), marks);
            await publisher.PublishAsync(stored, cancellationToken);
            return Accepted(stored.Id);
        }

        var fingerprint = Convert.ToHexString(SHA256.HashData(body.Bytes));
        var reservation = await idempotency.ReserveAsync(input.Tenant!, key, SortableId.New("evt"), fingerprint);
        if (reservation.Fingerprint != fingerprint)
        {
            return KeyReused(key, "body", "a new event");
        }
        if (!reservation.Done)
        {
            // A first try, or a retry after a 503 or a 429: counted, then published under the reserved id (the
            // first stored copy wins). A replay of a request already accepted is answered again, not counted.
            if ((NonConforming() ?? await overQuota()) is { } refused)
            {
                return refused;
            }
            await publisher.PublishAsync(Accept(input, reservation.EventId, marks), cancellationToken);
            await idempotency.MarkDoneAsync(input.Tenant!, key, reservation);
        }
        else
        {
            IngestTelemetry.Replayed.Add(1);
        }
        return Accepted(reservation.EventId);
    }

    private static async Task<IResult> PublishBatch(HttpRequest request, ClaimsPrincipal user, EventPublisher publisher, IdempotencyKeys idempotency, TenantQuotaStore quotas, EventTypeCatalog catalog, IOptions<IngestOptions> options, CancellationToken cancellationToken)
    {
        var caller = Caller.Of(user);
        var limits = options.Value;
        var (key, keyProblem) = IdempotencyKeyOf(request);
        if (keyProblem is not null)
        {
            return keyProblem;
        }
        var body = await JsonBody.ReadAsync<EventBatchRequest>(request, limits.MaxBatchBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var items = body.Value!.Events;
        if (items is null || items.Count == 0 || items.Count > limits.MaxBatchEvents)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["events"] = [$"Send between 1 and {limits.MaxBatchEvents} events."] });
        }

        var errors = new Dictionary<string, string[]>();
        var schemaRefusals = new List<(string, Core.EventTypes.SchemaViolation)>();
        var schemas = await catalog.CurrentAsync();
        var accepted = new List<StoredEvent>(items.Count);
        var sizes = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var size = Encoding.UTF8.GetByteCount(items[i].GetRawText());
            if (size > limits.MaxEventBytes)
            {
                errors[$"events[{i}]"] = [$"The event is larger than the limit of {limits.MaxEventBytes / 1024} KiB."];
                continue;
            }
            EventRequest? input;
            try
            {
                input = items[i].ValueKind == JsonValueKind.Object ? items[i].Deserialize<EventRequest>(WebhooksJson.Options) : null;
            }
            catch (JsonException e)
            {
                errors[$"events[{i}]"] = [e.Message];
                continue;
            }
            if (input is null)
            {
                errors[$"events[{i}]"] = ["Each event must be a JSON object."];
                continue;
            }
            var (tenant, forbidden) = caller.ActFor(input.Tenant);
            if (forbidden is not null)
            {
                return forbidden;
            }
            input = input with { Tenant = tenant };
            foreach (var (field, messages) in EventRules.Check(input.Type, input.Tenant, input.Data, input.Resource))
            {
                errors[$"events[{i}].{field}"] = messages;
            }
            if (EventRules.CheckPublishable(input.Type) is { } reserved)
            {
                errors[$"events[{i}].type"] = [reserved];
            }
            IReadOnlyList<string>? marks = null;
            if (EventRules.CheckType(input.Type) is null)
            {
                (marks, var refused) = SchemaCheck.Of(schemas, input.Type!, input.Data);
                schemaRefusals.AddRange(refused?.Select(v => ($"events[{i}]", v)) ?? []);
            }
            accepted.Add(Accept(input, SortableId.New("evt"), marks));
            sizes.Add(size);
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Some events are not valid; none was accepted");
        }
        // Refused before anything is stored or counted, but after a keyed batch already accepted is answered again.
        var nonConforming = () => schemaRefusals.Count == 0 ? null
            : SchemaCheck.Refusal(request.HttpContext, "Some events do not conform to schemas their types enforce; none was accepted.", schemaRefusals);
        if (key.Length > 0 && accepted.Select(e => e.Tenant).Distinct().Count() > 1)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [IdempotencyHeader] = ["A batch sent with an Idempotency-Key holds the events of one tenant."] });
        }
        var overQuota = () => OverQuotaAsync(quotas, [.. accepted.Select((e, i) => (e.Tenant, sizes[i]))]);
        if (key.Length == 0)
        {
            if ((nonConforming() ?? await overQuota()) is { } refused)
            {
                return refused;
            }
            await Task.WhenAll(accepted.Select(e => publisher.PublishAsync(e, cancellationToken)));
            return TypedResults.Accepted((string?)null, new EventBatchAccepted([.. accepted.Select(e => e.Id)]));
        }

        var batchTenant = accepted[0].Tenant;
        var fingerprint = Convert.ToHexString(SHA256.HashData(body.Bytes));
        var reservation = await idempotency.ReserveBatchAsync(batchTenant, key, [.. accepted.Select(e => e.Id)], fingerprint);
        if (reservation.Fingerprint != fingerprint || reservation.BatchIds?.Count != accepted.Count)
        {
            return KeyReused(key, "batch", "new events");
        }
        if (!reservation.Done)
        {
            // A first try, or a retry after a 503 (some events may have been confirmed) or a 429: counted, then
            // published under the reserved ids. A replay of a batch already accepted is not counted again.
            if ((nonConforming() ?? await overQuota()) is { } refused)
            {
                return refused;
            }
            await Task.WhenAll(accepted.Select((e, i) => publisher.PublishAsync(e with { Id = reservation.BatchIds[i] }, cancellationToken)));
            await idempotency.MarkDoneAsync(batchTenant, key, reservation);
        }
        else
        {
            IngestTelemetry.Replayed.Add(1);
        }
        return TypedResults.Accepted((string?)null, new EventBatchAccepted(reservation.BatchIds));
    }

    /// <summary>
    /// Counts events against their tenants' quotas; the refusal when one is over. A batch may hold several
    /// tenants (an unbound key): each is counted for its own events, all of them or none.
    /// </summary>
    private static async Task<IResult?> OverQuotaAsync(TenantQuotaStore quotas, IReadOnlyList<(string Tenant, int Bytes)> events)
    {
        foreach (var group in events.GroupBy(e => e.Tenant))
        {
            if (QuotaAnswers.Refusal(await quotas.TakeEventsAsync(group.Key, group.Count(), group.Sum(e => (long)e.Bytes)), group.Key) is { } refused)
            {
                return refused;
            }
        }
        return null;
    }

    /// <summary>The request's <c>Idempotency-Key</c> ("" when it has none), or the problem when it is too long.</summary>
    private static (string Key, IResult? Problem) IdempotencyKeyOf(HttpRequest request)
    {
        var key = request.Headers[IdempotencyHeader].ToString();
        return key.Length <= IdempotencyKeys.MaxKeyLength ? (key, null)
            : (key, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [IdempotencyHeader] = [$"The key is longer than {IdempotencyKeys.MaxKeyLength} characters."] }));
    }

    private static IResult KeyReused(string key, string what, string instead) =>
        TypedResults.Problem($"The Idempotency-Key '{key}' was used with a different {what}; use a new key for {instead}.",
            statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused");

    private static StoredEvent Accept(EventRequest input, string id, IReadOnlyList<string>? schemaViolations)
    {
        var now = DateTimeOffset.UtcNow;
        return new StoredEvent
        {
            Id = id,
            Type = input.Type!,
            Tenant = input.Tenant!,
            OccurredAt = input.OccurredAt ?? now,
            ReceivedAt = now,
            Data = input.Data is { ValueKind: JsonValueKind.Object } data ? data.Clone() : null,
            Resource = input.Resource,
            SchemaViolations = schemaViolations,
        };
    }

    private static Accepted<EventAccepted> Accepted(string id) => TypedResults.Accepted($"/v1/events/{id}", new EventAccepted(id));
}
