using Microsoft.Extensions.Options;
using Webhooks.Contracts;
using Webhooks.Core.DeadLetters;
using Webhooks.Dispatcher.Deliveries;
using Webhooks.ServiceDefaults;

namespace Webhooks.Dispatcher.Retries;

/// <summary>
/// Decides what a failed attempt leads to: another attempt on the schedule (or when the
/// subscriber's <c>Retry-After</c> says), a dead letter, or an endpoint switched off. Pure: the
/// same answer, the same time and the same inputs give the same verdict (jitter aside).
/// </summary>
public sealed class RetryPolicy(IOptions<RetryOptions> options, TimeProvider clock)
{
    public const string Gone = "gone";
    public const string Failing = "failing";

    private readonly RetryOptions _options = options.Value;

    /// <summary>Attempts in all: the first and one per wait of the schedule.</summary>
    public int MaxAttempts => _options.Waits.Count + 1;

    /// <summary>The number the delivery's last attempt on its schedule will have: a resend's schedule counts on from its earlier attempts; a test has one.</summary>
    public int FinalNumber(DeliverWebhook delivery) => delivery.Test ? delivery.Number : delivery.EarlierAttempts + MaxAttempts;

    /// <summary>
    /// The verdict on attempt number <paramref name="attempt"/> to <paramref name="endpointUrl"/>, made at
    /// <paramref name="attemptedAt"/>, which came to <paramref name="result"/>; <paramref name="failingSince"/>
    /// is when the endpoint's current run of failures began.
    /// </summary>
    public AttemptVerdict Decide(int attempt, SendResult result, DateTimeOffset attemptedAt, DateTimeOffset? failingSince, string endpointUrl)
    {
        if (result.Succeeded)
        {
            return new AttemptVerdict.Delivered();
        }
        if (result.StatusCode == 410)
        {
            return new AttemptVerdict.DisableEndpoint(Gone, "The endpoint answered 410 Gone and was disabled.");
        }
        if (attemptedAt - failingSince >= _options.AutoDisableAfter)
        {
            return new AttemptVerdict.DisableEndpoint(Failing, $"The endpoint has failed since {failingSince:u} and was disabled.");
        }
        if (result.Error == WebhookSender.BlockedDestination)
        {
            // The guard refuses where the URL leads: retrying will not change that.
            return new AttemptVerdict.DeadLetter(DeadLetterReasons.BlockedDestination, $"{RedactedUrl.Of(endpointUrl)} leads to an address the SSRF guard refuses.");
        }
        if (WaitAfter(attempt, result) is not var (wait, asAsked))
        {
            return new AttemptVerdict.DeadLetter(DeadLetterReasons.Exhausted, $"All {MaxAttempts} attempts failed; the last with {result.Error ?? $"HTTP {result.StatusCode}"}.");
        }
        return new AttemptVerdict.RetryAt(clock.GetUtcNow() + wait, asAsked);
    }

    /// <summary>The wait before the attempt after <paramref name="attempt"/> and whether the subscriber asked for it, or null when that was the last one.</summary>
    private (TimeSpan Wait, bool AsAsked)? WaitAfter(int attempt, SendResult result)
    {
        if (attempt >= MaxAttempts)
        {
            return null;
        }
        if (result.StatusCode is 429 or 503 && result.RetryAfter is { } retryAfter)
        {
            // The subscriber said when: never earlier, a little later at most, and within bounds.
            var bounded = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter > _options.MaxRetryAfter ? _options.MaxRetryAfter : retryAfter;
            return (bounded + bounded * (Random.Shared.NextDouble() * _options.Jitter), true);
        }
        var wait = _options.Waits[attempt - 1];
        return (wait + wait * ((Random.Shared.NextDouble() * 2 - 1) * _options.Jitter), false);
    }
}
