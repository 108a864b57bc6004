using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Webhooks.Dispatcher;
using Webhooks.Dispatcher.Deliveries;
using Webhooks.Dispatcher.Endpoints;

namespace Webhooks.UnitTests;

public sealed class SlowEndpointsTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly SlowEndpoints _slow;

    public SlowEndpointsTests() =>
        _slow = new SlowEndpoints(Options.Create(new DispatcherOptions { FanOutAttemptBudget = TimeSpan.FromSeconds(1), SlowEndpointMemory = TimeSpan.FromMinutes(1) }), _clock);

    private static SendResult Took(double seconds, int? status = 200) => new(status, status is null ? "timeout" : null, TimeSpan.FromSeconds(seconds), null);

    [Fact]
    public void An_endpoint_is_slow_after_a_request_past_the_budget_for_as_long_as_it_is_remembered()
    {
        _slow.Observe("ep_a", Took(0.9));
        Assert.False(_slow.IsSlow("ep_a"));

        _slow.Observe("ep_a", Took(15, status: null));
        Assert.True(_slow.IsSlow("ep_a"));
        Assert.False(_slow.IsSlow("ep_b"));

        _clock.Advance(TimeSpan.FromSeconds(59));
        Assert.True(_slow.IsSlow("ep_a"));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(_slow.IsSlow("ep_a"));
    }

    [Fact]
    public void A_quick_answer_from_the_lanes_ends_it_at_once()
    {
        _slow.Observe("ep_a", Took(3));
        Assert.True(_slow.IsSlow("ep_a"));

        _slow.Observe("ep_a", Took(0.05, status: 500));
        Assert.False(_slow.IsSlow("ep_a"));
    }
}
