using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Core.DeadLetters;
using Webhooks.Dispatcher.Deliveries;
using Webhooks.Dispatcher.Retries;

namespace Webhooks.UnitTests;

/// <summary>Every branch of the verdict on an attempt, on a fake clock, with the schedule 5 s, 5 min, 30 min.</summary>
public sealed class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan[] Schedule = [TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30)];
    private const string Url = "https://example.com/hooks";

    private static RetryPolicy Policy(double jitter = 0, TimeSpan? maxRetryAfter = null) =>
        new(Options.Create(new RetryOptions { Schedule = [.. Schedule], Jitter = jitter, MaxRetryAfter = maxRetryAfter ?? TimeSpan.FromHours(1), AutoDisableAfter = TimeSpan.FromDays(5) }),
            new FakeTimeProvider(Now));

    private static SendResult Status(int status, TimeSpan? retryAfter = null) => new(status, null, TimeSpan.FromMilliseconds(20), null, retryAfter);

    private static SendResult Failure(string error) => new(null, error, TimeSpan.FromSeconds(15), null);

    [Theory]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(299)]
    public void A_2xx_answer_is_delivered(int status)
    {
        Assert.IsType<AttemptVerdict.Delivered>(Policy().Decide(1, Status(status), Now, failingSince: null, Url));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(502)]
    public void Any_other_answer_is_retried_on_the_schedule(int status)
    {
        Assert.Equal(new AttemptVerdict.RetryAt(Now + Schedule[0]), Policy().Decide(1, Status(status), Now, failingSince: Now, Url));
        Assert.Equal(new AttemptVerdict.RetryAt(Now + Schedule[2]), Policy().Decide(3, Status(status), Now, failingSince: Now, Url));
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("connection_failed")]
    [InlineData("dns_failure")]
    public void A_request_without_an_answer_is_retried_on_the_schedule(string error)
    {
        Assert.Equal(new AttemptVerdict.RetryAt(Now + Schedule[1]), Policy().Decide(2, Failure(error), Now, failingSince: Now, Url));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Retry_after_on_429_and_503_is_honoured(int status)
    {
        Assert.Equal(new AttemptVerdict.RetryAt(Now + TimeSpan.FromSeconds(42), AsAsked: true), Policy().Decide(1, Status(status, TimeSpan.FromSeconds(42)), Now, Now, Url));
    }

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public void Without_retry_after_429_and_503_follow_the_schedule(int status)
    {
        Assert.Equal(new AttemptVerdict.RetryAt(Now + Schedule[0]), Policy().Decide(1, Status(status), Now, Now, Url));
    }

    [Fact]
    public void Retry_after_on_another_status_is_not_honoured()
    {
        Assert.Equal(new AttemptVerdict.RetryAt(Now + Schedule[0]), Policy().Decide(1, Status(500, TimeSpan.FromSeconds(42)), Now, Now, Url));
    }

    [Fact]
    public void Retry_after_is_bounded_by_the_longest_honoured_and_never_in_the_past()
    {
        var policy = Policy(maxRetryAfter: TimeSpan.FromMinutes(10));

        Assert.Equal(new AttemptVerdict.RetryAt(Now + TimeSpan.FromMinutes(10), AsAsked: true), policy.Decide(1, Status(429, TimeSpan.FromDays(2)), Now, Now, Url));
        Assert.Equal(new AttemptVerdict.RetryAt(Now, AsAsked: true), policy.Decide(1, Status(503, TimeSpan.FromSeconds(-30)), Now, Now, Url));
    }

    [Fact]
    public void Jitter_varies_a_scheduled_wait_either_way_and_a_retry_after_only_later()
    {
        var policy = Policy(jitter: 0.2);
        for (var i = 0; i < 200; i++)
        {
            var scheduled = Assert.IsType<AttemptVerdict.RetryAt>(policy.Decide(2, Status(500), Now, Now, Url)).DueAt - Now;
            Assert.InRange(scheduled, Schedule[1] * 0.8, Schedule[1] * 1.2);
            var told = Assert.IsType<AttemptVerdict.RetryAt>(policy.Decide(2, Status(429, TimeSpan.FromSeconds(100)), Now, Now, Url)).DueAt - Now;
            Assert.InRange(told, TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(120));
        }
    }

    [Fact]
    public void The_last_attempt_of_the_schedule_failing_exhausts_the_delivery()
    {
        var policy = Policy();

        var verdict = Assert.IsType<AttemptVerdict.DeadLetter>(policy.Decide(policy.MaxAttempts, Status(500), Now, Now, Url));

        Assert.Equal(4, policy.MaxAttempts);
        Assert.Equal(DeadLetterReasons.Exhausted, verdict.Reason);
        Assert.Contains("All 4 attempts failed; the last with HTTP 500", verdict.Detail, StringComparison.Ordinal);
        Assert.Contains("timeout", Assert.IsType<AttemptVerdict.DeadLetter>(policy.Decide(4, Failure("timeout"), Now, Now, Url)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retry_after_does_not_extend_an_exhausted_schedule()
    {
        Assert.Equal(DeadLetterReasons.Exhausted, Assert.IsType<AttemptVerdict.DeadLetter>(Policy().Decide(4, Status(429, TimeSpan.FromSeconds(1)), Now, Now, Url)).Reason);
    }

    [Fact]
    public void A_blocked_destination_is_dead_lettered_at_once()
    {
        var verdict = Assert.IsType<AttemptVerdict.DeadLetter>(Policy().Decide(1, Failure(WebhookSender.BlockedDestination), Now, Now, Url));

        Assert.Equal(DeadLetterReasons.BlockedDestination, verdict.Reason);
        Assert.Contains("https://example.com/…", verdict.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("hooks", verdict.Detail, StringComparison.Ordinal); // a URL's path may hold credentials
    }

    [Fact]
    public void A_410_disables_the_endpoint_even_on_the_last_attempt()
    {
        Assert.Equal(new AttemptVerdict.DisableEndpoint(RetryPolicy.Gone, "The endpoint answered 410 Gone and was disabled."), Policy().Decide(1, Status(410), Now, Now, Url));
        Assert.IsType<AttemptVerdict.DisableEndpoint>(Policy().Decide(4, Status(410), Now, Now, Url));
    }

    [Fact]
    public void An_endpoint_failing_for_the_whole_auto_disable_window_is_disabled()
    {
        var verdict = Assert.IsType<AttemptVerdict.DisableEndpoint>(Policy().Decide(2, Status(500), Now, failingSince: Now - TimeSpan.FromDays(5), Url));

        Assert.Equal(RetryPolicy.Failing, verdict.Why);
        Assert.Contains("has failed since", verdict.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_auto_disable_window_is_measured_at_the_attempt_not_after_it()
    {
        // The attempt began just short of the window; a long request ends past it: still retried.
        var startedAt = Now - TimeSpan.FromSeconds(15);

        Assert.IsType<AttemptVerdict.RetryAt>(Policy().Decide(2, Failure("timeout"), startedAt, failingSince: startedAt - TimeSpan.FromDays(5) + TimeSpan.FromSeconds(1), Url));
    }

    [Fact]
    public void An_attempt_number_outside_the_schedule_is_a_fault_not_a_retry()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy().Decide(0, Status(500), Now, Now, Url));
    }

    [Fact]
    public void An_endpoint_failing_for_less_than_the_window_or_with_no_known_streak_is_retried()
    {
        Assert.IsType<AttemptVerdict.RetryAt>(Policy().Decide(2, Status(500), Now, failingSince: Now - TimeSpan.FromDays(5) + TimeSpan.FromSeconds(1), Url));
        Assert.IsType<AttemptVerdict.RetryAt>(Policy().Decide(2, Status(500), Now, failingSince: null, Url));
    }

    [Fact]
    public void A_failing_endpoint_is_disabled_before_its_blocked_destination_or_exhaustion_is_considered()
    {
        var longAgo = Now - TimeSpan.FromDays(6);

        Assert.IsType<AttemptVerdict.DisableEndpoint>(Policy().Decide(1, Failure(WebhookSender.BlockedDestination), Now, longAgo, Url));
        Assert.IsType<AttemptVerdict.DisableEndpoint>(Policy().Decide(4, Status(500), Now, longAgo, Url));
    }

    [Fact]
    public void The_default_schedule_is_svixs()
    {
        var policy = new RetryPolicy(Options.Create(new RetryOptions { Jitter = 0 }), new FakeTimeProvider(Now));

        Assert.Equal(8, policy.MaxAttempts);
        Assert.Equal(new AttemptVerdict.RetryAt(Now + TimeSpan.FromHours(10)), policy.Decide(7, Status(500), Now, Now, Url));
    }
}
