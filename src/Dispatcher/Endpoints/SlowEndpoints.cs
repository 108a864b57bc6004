using Microsoft.Extensions.Options;
using Webhooks.Core;
using Webhooks.Dispatcher.Deliveries;

namespace Webhooks.Dispatcher.Endpoints;

/// <summary>
/// The endpoints whose last request from this dispatcher took longer than fan-out's budget for an attempt
/// (<see cref="DispatcherOptions.FanOutAttemptBudget"/>): for <see cref="DispatcherOptions.SlowEndpointMemory"/>
/// fan-out hands their deliveries to the delivery lanes instead of attempting them itself, so one slow
/// subscriber does not hold the fan-out of the events it shares with others. A quick answer clears it.
/// </summary>
public sealed class SlowEndpoints(IOptions<DispatcherOptions> options, TimeProvider clock)
{
    private readonly RecentlyUsed<string, DateTimeOffset> _slowUntil = new(100_000, options.Value.SlowEndpointMemory, clock);

    public void Observe(string endpointId, SendResult result)
    {
        if (result.Duration > options.Value.FanOutAttemptBudget)
        {
            _slowUntil.Set(endpointId, clock.GetUtcNow() + options.Value.SlowEndpointMemory);
        }
        else
        {
            _slowUntil.TryRemove(endpointId);
        }
    }

    public bool IsSlow(string endpointId) => _slowUntil.TryGetValue(endpointId, out var until) && until > clock.GetUtcNow();
}
