using System.CommandLine;
using System.Text.Json;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Quotas;

/// <summary><c>webhooks quotas …</c>: a tenant's quotas as they apply (show), and an operator's overrides (set).</summary>
public static class QuotasCommand
{
    /// <summary>Each quota: its option, its field in the API, what it limits.</summary>
    private static readonly (string Option, string Field, string What)[] Quotas =
    [
        ("--endpoints", "endpoints", "endpoints the tenant may have"),
        ("--events-per-second", "eventsPerSecond", "events a second it may publish"),
        ("--events-burst", "eventsBurst", "events it may publish at once"),
        ("--bytes-per-second", "bytesPerSecond", "event bytes a second"),
        ("--bytes-burst", "bytesBurst", "event bytes at once"),
        ("--dead-letters", "deadLetters", "dead letters kept (the oldest go past it)"),
        ("--attempt-log-bytes", "attemptLogBytes", "bytes of each endpoint's attempt log"),
    ];

    public static Command Create()
    {
        var tenant = new Argument<string>("tenant") { Description = "the tenant" };
        var show = new Command("show", "the tenant's quotas, and which an operator set").With(tenant).Runs(async s =>
        {
            var quotas = await s.Api.GetAsync(Path(s.Get(tenant)!), s.Cancellation);
            s.Out.Show(quotas, () => Describe(s.Out, quotas));
            return 0;
        });
        var options = Quotas.Select(q => new Option<double?>(q.Option) { Description = q.What }).ToList();
        var reset = new Option<string[]>("--default") { Description = "go back to the default for this quota (its option's name without --, such as events-per-second; repeat it)" };
        var set = new Command("set", "an operator's overrides of the tenant's quotas: the ones given change, the others stay").With([tenant, .. options, reset]).Runs(async s =>
        {
            var path = Path(s.Get(tenant)!);
            var current = (await s.Api.GetAsync(path, s.Cancellation)).GetProperty("overrides");
            // The API replaces the whole set: start from the overrides there are.
            var overrides = Quotas.ToDictionary(q => q.Field, q => current.TryGetProperty(q.Field, out var v) && v.ValueKind == JsonValueKind.Number ? (double?)v.GetDouble() : null);
            foreach (var (quota, option) in Quotas.Zip(options))
            {
                if (s.Get(option) is { } value)
                {
                    overrides[quota.Field] = value;
                }
            }
            foreach (var name in s.Get(reset) ?? [])
            {
                var quota = Quotas.FirstOrDefault(q => q.Option == "--" + name.TrimStart('-'));
                if (quota.Field is null)
                {
                    throw new Api.CliFailure(Api.ExitCodes.Usage, $"--default takes one of {string.Join(", ", Quotas.Select(q => q.Option[2..]))}, not '{name}'.");
                }
                overrides[quota.Field] = null;
            }
            var written = await s.Api.PutAsync(path, overrides, s.Cancellation);
            s.Out.Show(written, () => Describe(s.Out, written));
            return 0;
        });
        return new Command("quotas", "a tenant's quotas: show them, or set an operator's overrides").With(show, set);
    }

    private static string Path(string tenant) => $"/v1/tenants/{Uri.EscapeDataString(tenant)}/quotas";

    private static void Describe(Printer output, JsonElement view)
    {
        var applied = view.GetProperty("quotas");
        var overrides = view.GetProperty("overrides");
        output.Table(["quota", "applies", "set by"], Quotas.Select(q => new[]
        {
            q.Option[2..], applied.Text(q.Field),
            overrides.TryGetProperty(q.Field, out var v) && v.ValueKind == JsonValueKind.Number ? "operator" : "default",
        }));
    }
}
