using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

/// <summary>Spans as an exporter receives them (OpenTelemetry's in-memory exporter, listening to the hosts in this process).</summary>
public sealed class TracingTests(WebhooksSystemWithDispatcher system) : IClassFixture<WebhooksSystemWithDispatcher>
{
    [Fact]
    public async Task A_retry_is_a_trace_of_its_own_linked_to_the_first_attempt_and_each_attempt_records_the_trace_its_subscriber_got()
    {
        var spans = new ExportedSpans();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("Webhooks.Dispatcher", "MassTransit")
            // The hosts themselves record no spans here (no OTLP endpoint): sample what this exporter listens to even under their unsampled parents.
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(spans)
            .Build();
        await using var subscriber = await Subscriber.StartAsync(n => n < 2 ? 503 : 200);
        await system.CreateEndpointAsync("traced", subscriber.Url, ["*"]);

        var id = await system.PublishAsync("traced", "trace.me");

        var view = await Eventually.HoldsAsync(() => system.GetEventAsync(id),
            v => v.Deliveries.Any(d => d.Status == "delivered"), "the third attempt succeeds");
        var traceIds = view.Deliveries[0].Attempts.Select(a => a.TraceId!).ToList();
        Assert.Equal(3, traceIds.Count);
        Assert.Equal(3, traceIds.Distinct().Count());

        // Each subscriber request carried the trace recorded on its attempt.
        var received = subscriber.Received.ToList();
        Assert.Equal(traceIds, received.Select(r => r.Headers["traceparent"].ToString().Split('-')[1]));

        var attempts = await Eventually.HoldsAsync(() => Task.FromResult(DeliverSpans(spans, id)), s => s.Count == 3, "three attempt spans are exported");
        Assert.Equal(traceIds, attempts.Select(a => a.TraceId.ToHexString()));
        Assert.Empty(attempts[0].Links);
        foreach (var retry in attempts.Skip(1))
        {
            var link = Assert.Single(retry.Links);
            Assert.Equal(attempts[0].TraceId, link.Context.TraceId);
            Assert.Equal(attempts[0].SpanId, link.Context.SpanId);
        }
        // The retry's trace starts when the retry is taken from its lane, not when the event came in.
        var retryTrace = spans.Snapshot().Where(s => s.TraceId == attempts[2].TraceId).ToList();
        Assert.Contains(retryTrace, s => s.Source.Name == "MassTransit");
        Assert.DoesNotContain(retryTrace, s => s.StartTimeUtc < attempts[1].StartTimeUtc + attempts[1].Duration);
    }

    private static List<Activity> DeliverSpans(ExportedSpans spans, string eventId) =>
        [.. spans.Snapshot().Where(s => s.OperationName == "webhook deliver" && (string?)s.GetTagItem("webhooks.event.id") == eventId).OrderBy(s => s.StartTimeUtc)];

    /// <summary>What the exporter adds, readable while it adds more.</summary>
    private sealed class ExportedSpans : System.Collections.ObjectModel.Collection<Activity>
    {
        private readonly Lock _lock = new();

        public List<Activity> Snapshot()
        {
            lock (_lock)
            {
                return [.. this];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (_lock)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
