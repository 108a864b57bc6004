using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Webhooks.Console.Components;

/// <summary>Links from an attempt's trace id to the tracing UI (<c>Webhooks:Console:TraceUrl</c>, with <c>{traceId}</c>).</summary>
public sealed class TraceLinks(IOptions<ConsoleOptions> options)
{
    public string? Link(JsonElement attempt) =>
        options.Value.TraceUrl is { Length: > 0 } template && attempt.Str("traceId") is { Length: 32 } traceId && traceId.All(char.IsAsciiHexDigit)
            ? template.Replace("{traceId}", traceId, StringComparison.Ordinal)
            : null;
}
