using System.Diagnostics;

namespace Webhooks.Bench.Scenarios;

/// <summary>One event at a time on an idle platform: from POST /v1/events to the receiver, against one raw POST.</summary>
public static class Latency
{
    public static async Task RunAsync(Platform platform, Receiver receiver, RawSender raw, int events, Report report)
    {
        var rawUrl = receiver.Path("raw-latency");
        var rawTimes = new List<double>();
        for (var i = 0; i < events; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await raw.SendAsync(rawUrl, i);
            rawTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        await platform.CreateEndpointAsync("latency", receiver.Path("latency"));
        var times = await PublishOneByOneAsync(platform, receiver, "latency", events, TimeSpan.Zero);

        report.Section($"Latency: {events} events one after another, idle platform");
        report.Row("raw baseline (one signed POST)", new Latencies(rawTimes).ToString());
        report.Row("Webhooks (POST /v1/events → received)", times.ToString());
        report.Row("ratio of medians Webhooks / raw", $"{times.Percentile(50) / new Latencies(rawTimes).Percentile(50):F1}");
    }

    /// <summary>Publishes one event every <paramref name="spacing"/> (or each after the previous arrived, when zero) and measures publish → arrival.</summary>
    public static async Task<Latencies> PublishOneByOneAsync(Platform platform, Receiver receiver, string tenant, int events, TimeSpan spacing)
    {
        var published = new List<(string Id, long At)>();
        for (var i = 0; i < events; i++)
        {
            var at = Stopwatch.GetTimestamp();
            var id = await platform.PublishAsync(tenant, i);
            published.Add((id, at));
            if (spacing == TimeSpan.Zero)
            {
                await receiver.WhenArrived(id);
            }
            else if (spacing - Stopwatch.GetElapsedTime(at) is { Ticks: > 0 } rest)
            {
                await Task.Delay(rest);
            }
        }
        await Task.WhenAll(published.Select(p => receiver.WhenArrived(p.Id))).WaitAsync(TimeSpan.FromMinutes(10));
        return new Latencies([.. published.Select(p => receiver.TryGetArrival(p.Id, out var arrived) ? Latencies.Since(p.At, arrived) : double.NaN)]);
    }
}
