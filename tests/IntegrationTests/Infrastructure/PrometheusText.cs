namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>Reading a host's <c>/metrics</c> (Prometheus text format).</summary>
public static class PrometheusText
{
    /// <summary>The value of the first series of <paramref name="name"/> whose labels hold all of <paramref name="labels"/> (<c>reason="x"</c>); NaN when there is none.</summary>
    public static double Value(string metrics, string name, params string[] labels) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)))
            .Select(line => line[(line.IndexOf('}') is var end and >= 0 ? end + 1 : name.Length)..].Trim().Split(' ')[0])
            .Select(value => double.Parse(value, System.Globalization.CultureInfo.InvariantCulture))
            .DefaultIfEmpty(double.NaN)
            .First();
}
