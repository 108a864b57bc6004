using System.Diagnostics;
using OpenTelemetry;

namespace Webhooks.ServiceDefaults;

/// <summary>
/// Without an exporter, recording spans is work thrown away (it cost the Dispatcher about a sixth of its
/// CPU). This listener asks for propagation data only: activities of the platform, MassTransit, ASP.NET
/// Core and HttpClient still exist with their trace and span ids and travel in <c>traceparent</c>
/// headers, but no tags, events or timings are collected.
/// </summary>
internal static class TraceContextPropagation
{
    private static readonly ActivityListener Listener = new()
    {
        ShouldListenTo = source => source.Name is "MassTransit" or "Microsoft.AspNetCore" or "System.Net.Http"
            || source.Name.StartsWith("Webhooks.", StringComparison.Ordinal),
        // Like the SDK's own listener, none inside a SuppressInstrumentationScope (a send that must not carry the trace on).
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => Sdk.SuppressInstrumentation ? ActivitySamplingResult.None : ActivitySamplingResult.PropagationData,
        SampleUsingParentId = (ref ActivityCreationOptions<string> _) => Sdk.SuppressInstrumentation ? ActivitySamplingResult.None : ActivitySamplingResult.PropagationData,
    };
    private static int _started;

    public static void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            ActivitySource.AddActivityListener(Listener);
        }
    }
}
