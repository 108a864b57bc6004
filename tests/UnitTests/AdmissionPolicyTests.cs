using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Core.DeadLetters;
using Webhooks.Core.Endpoints;
using Webhooks.Dispatcher.Admission;
using Webhooks.Dispatcher.RateLimiting;
using Webhooks.Dispatcher.Retries;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.UnitTests;

/// <summary>Every branch of admission, on a fake clock: due time, endpoint state, in-flight cap and rate limit.</summary>
public sealed class AdmissionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static readonly RateLimitOptions Limits = new()
    {
        MaxInPlaceWait = TimeSpan.FromSeconds(1),
        DefaultMaxInFlight = 16,
        InFlightRetryDelay = TimeSpan.FromMilliseconds(500),
        MaxInFlightWait = TimeSpan.FromSeconds(30),
    };

    private static AdmissionPolicy Policy()
    {
        var clock = new FakeTimeProvider(Now);
        return new(
            Options.Create(Limits),
            Options.Create(new RetryOptions { UnknownEndpointDelay = TimeSpan.FromSeconds(5) }),
            new DelayLadder(Options.Create(new DelayTierOptions { Shortest = TimeSpan.FromSeconds(1), Count = 15 }), Options.Create(new BrokerOptions()), clock),
            clock);
    }

    private static WebhookEndpoint Endpoint(bool enabled = true, int? maxInFlight = null, int timeoutSeconds = 15) => new()
    {
        Id = "ep_1",
        Tenant = "acme",
        Url = "https://example.com/hooks",
        EventTypes = ["*"],
        Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        Enabled = enabled,
        MaxInFlight = maxInFlight,
        TimeoutSeconds = timeoutSeconds,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Fact]
    public void A_delivery_without_a_due_time_or_past_it_goes_now()
    {
        Assert.Equal(TimeSpan.Zero, Policy().WaitInPlaceUntilDue(null));
        Assert.Equal(TimeSpan.Zero, Policy().WaitInPlaceUntilDue(Now));
        Assert.Equal(TimeSpan.Zero, Policy().WaitInPlaceUntilDue(Now - TimeSpan.FromMinutes(3)));
    }

    [Fact]
    public void A_delivery_due_within_the_shortest_tier_waits_the_rest_in_place()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(300), Policy().WaitInPlaceUntilDue(Now + TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public void A_delivery_due_later_hops_back_to_the_tiers_until_its_due_time()
    {
        var due = Now + TimeSpan.FromSeconds(1);

        Assert.Null(Policy().WaitInPlaceUntilDue(due));
        Assert.Equal(new AdmissionDecision.Deferred(due, DeferralCause.NotDue), Policy().NotDue(due));
    }

    [Fact]
    public void An_endpoint_never_seen_while_redis_is_away_puts_the_delivery_off()
    {
        Assert.Equal(new AdmissionDecision.Deferred(Now + TimeSpan.FromSeconds(5), DeferralCause.UnknownEndpoint), Policy().CheckEndpoint("ep_1", known: false, endpoint: null));
    }

    [Fact]
    public void A_deleted_endpoint_refuses_the_delivery()
    {
        var refused = Assert.IsType<AdmissionDecision.Refused>(Policy().CheckEndpoint("ep_1", known: true, endpoint: null));

        Assert.Equal(DeadLetterReasons.EndpointDeleted, refused.Reason);
        Assert.Equal("Endpoint ep_1 no longer exists.", refused.Detail);
    }

    [Fact]
    public void A_disabled_endpoint_refuses_the_delivery()
    {
        var refused = Assert.IsType<AdmissionDecision.Refused>(Policy().CheckEndpoint("ep_1", known: true, Endpoint(enabled: false)));

        Assert.Equal(DeadLetterReasons.EndpointDisabled, refused.Reason);
    }

    [Fact]
    public void An_enabled_endpoint_passes()
    {
        Assert.Null(Policy().CheckEndpoint("ep_1", known: true, Endpoint()));
    }

    [Fact]
    public void The_in_flight_cap_is_the_endpoints_own_or_the_default()
    {
        Assert.Equal(3, Policy().InFlightCap(Endpoint(maxInFlight: 3)));
        Assert.Equal(16, Policy().InFlightCap(Endpoint()));
    }

    [Fact]
    public void An_in_flight_place_is_held_past_the_endpoints_timeout()
    {
        Assert.Equal(TimeSpan.FromSeconds(35), AdmissionPolicy.LeaseFor(Endpoint(timeoutSeconds: 30)));
    }

    [Theory]
    [InlineData(null, 500)]
    [InlineData(100, 500)]
    [InlineData(2_000, 2_000)]
    [InlineData(600_000, 30_000)]
    public void At_the_in_flight_cap_a_delivery_waits_for_its_turn_within_bounds(int? turnMs, int waitMs)
    {
        var turn = turnMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;

        Assert.Equal(new AdmissionDecision.Deferred(Now + TimeSpan.FromMilliseconds(waitMs), DeferralCause.MaxInFlight), Policy().AtInFlightCap(turn));
    }

    [Fact]
    public void Within_the_rate_limit_a_delivery_goes_now()
    {
        Assert.Equal(TimeSpan.Zero, Policy().WaitInPlaceForRate(TimeSpan.Zero, waited: TimeSpan.Zero));
        Assert.Equal(TimeSpan.Zero, Policy().WaitInPlaceForRate(TimeSpan.FromMilliseconds(-5), waited: TimeSpan.FromMilliseconds(900)));
    }

    [Fact]
    public void A_short_rate_limit_wait_is_waited_in_place_until_the_in_place_budget_is_spent()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(50), Policy().WaitInPlaceForRate(TimeSpan.FromMilliseconds(50), waited: TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMilliseconds(50), Policy().WaitInPlaceForRate(TimeSpan.FromMilliseconds(50), waited: TimeSpan.FromMilliseconds(950)));
        Assert.Null(Policy().WaitInPlaceForRate(TimeSpan.FromMilliseconds(50), waited: TimeSpan.FromMilliseconds(951)));
    }

    [Fact]
    public void A_long_rate_limit_wait_takes_a_turn_in_the_tiers_not_before_the_limiter_allows()
    {
        Assert.Null(Policy().WaitInPlaceForRate(TimeSpan.FromSeconds(2), waited: TimeSpan.Zero));
        Assert.Equal(new AdmissionDecision.Deferred(Now + TimeSpan.FromSeconds(7), DeferralCause.RateLimit), Policy().RateLimited(wait: TimeSpan.FromSeconds(2), turn: TimeSpan.FromSeconds(7)));
        Assert.Equal(new AdmissionDecision.Deferred(Now + TimeSpan.FromSeconds(2), DeferralCause.RateLimit), Policy().RateLimited(wait: TimeSpan.FromSeconds(2), turn: TimeSpan.FromSeconds(1)));
    }
}
