using System.Diagnostics;

namespace Webhooks.Dispatcher.Deliveries;

/// <summary>
/// What a webhook request carries of the trace: <c>traceparent</c> (and <c>tracestate</c> when there is one),
/// never <c>baggage</c> — the default propagator would send the bus's own baggage (MassTransit's conversation id)
/// to every subscriber. A subscriber gets the documented headers only (docs/delivery.md).
/// </summary>
public sealed class TraceParentOnly : DistributedContextPropagator
{
    private static readonly DistributedContextPropagator W3C = CreateW3CPropagator();

    public override IReadOnlyCollection<string> Fields { get; } = ["traceparent", "tracestate"];

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter) =>
        W3C.Inject(activity, carrier, setter is null ? null : (c, name, value) =>
        {
            if (name is "traceparent" or "tracestate")
            {
                setter(c, name, value);
            }
        });

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        W3C.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) => null;
}
