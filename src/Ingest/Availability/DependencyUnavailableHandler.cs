using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Webhooks.Ingest.Events;
using Webhooks.ServiceDefaults;

namespace Webhooks.Ingest.Availability;

/// <summary>
/// RabbitMQ or Redis unreachable: 503 with <c>Retry-After</c>, never a 202 for something that
/// may be lost. Without Redis, Ingest cannot store events or check idempotency keys, so it
/// refuses events rather than accept them unrecorded.
/// </summary>
internal sealed partial class DependencyUnavailableHandler(IProblemDetailsService problems, IOptions<IngestOptions> options, ILogger<DependencyUnavailableHandler> logger) : IExceptionHandler
{
    /// <summary>Errors of a Redis that is there but cannot serve now: worth a retry later, so a 503.</summary>
    private static readonly string[] NotReady = ["LOADING", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "OOM", "READONLY", "MISCONF", "BUSY", "NOREPLICAS"];

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var detail = exception switch
        {
            BrokerUnavailableException => "The message broker did not confirm the event in time; it may not have been accepted. Retry with the same Idempotency-Key.",
            BrokerUnconfirmedException => "The message broker did not confirm the delivery in time; it may have been sent again or not. Retry the request.",
            // Only Redis being away (or loading, or without its primary) is an outage; a command Redis refused
            // (WRONGTYPE, …) is a fault of ours, not a 503 a client would retry for ever.
            RedisConnectionException or RedisTimeoutException => "The event store (Redis) is unreachable; nothing was accepted.",
            RedisServerException e when NotReady.Any(prefix => e.Message.StartsWith(prefix, StringComparison.Ordinal))
                => "The event store (Redis) cannot take writes now (loading, full, read-only or failing over); nothing was accepted.",
            _ => null,
        };
        if (detail is null)
        {
            return false;
        }
        LogUnavailable(exception, context.Request.Path);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = 503, Title = "Service temporarily unavailable", Detail = detail },
        };
        if (exception is BrokerUnavailableException broker)
        {
            problem.ProblemDetails.Extensions["eventId"] = broker.EventId;
        }
        return await problems.TryWriteAsync(problem);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answered 503 to {Path}: a dependency is unavailable")]
    private partial void LogUnavailable(Exception exception, string path);
}
