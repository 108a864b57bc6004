using System.Diagnostics.Metrics;
using Webhooks.Core;

namespace Webhooks.Dispatcher.Endpoints;

/// <summary>
/// The endpoints this dispatcher saw fail lately and since when their failures run, for a gauge
/// of the <see cref="Shown"/> longest-failing: per-endpoint detail with a bounded number of series.
/// An endpoint leaves on its next success, when disabled, or after <see cref="Recent"/> without a failure here.
/// </summary>
public sealed class FailingEndpoints(TimeProvider clock)
{
    public const int Shown = 10;
    public static readonly TimeSpan Recent = TimeSpan.FromMinutes(15);

    private readonly RecentlyUsed<string, DateTimeOffset> _failingSince = new(10_000, Recent, clock);

    public void Failed(string endpointId, DateTimeOffset failingSince) => _failingSince.Set(endpointId, failingSince);

    public void Recovered(string endpointId) => _failingSince.TryRemove(endpointId);

    /// <summary>Seconds failing, of the <see cref="Shown"/> endpoints failing longest, labelled by endpoint id.</summary>
    public IEnumerable<Measurement<double>> Longest()
    {
        var now = clock.GetUtcNow();
        return _failingSince.Entries().OrderBy(e => e.Value).Take(Shown)
            .Select(e => new Measurement<double>(Math.Max(0, (now - e.Value).TotalSeconds), DispatcherTelemetry.Tag("endpoint", e.Key)));
    }
}
