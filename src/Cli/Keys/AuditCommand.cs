using System.CommandLine;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Keys;

/// <summary><c>webhooks audit</c>: who changed what, newest first.</summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var tenant = new Option<string?>("--tenant") { Description = "of this tenant" };
        var action = new Option<string?>("--action") { Description = "endpoint.created, endpoint.secret_rotated, key.revoked, dead_letters.purged, …" };
        var limit = new Option<int>("--limit") { Description = "list at most this many", DefaultValueFactory = _ => 50 };
        return new Command("audit", "the audit log: every change to endpoints, keys and quotas, every redrive, purge, recover, replay and resend").With(tenant, action, limit).Runs(async s =>
        {
            var entries = await s.Api.ListAsync($"/v1/audit?{Query(("tenant", s.Get(tenant)), ("action", s.Get(action)))}", s.Get(limit), s.Cancellation);
            s.Out.Show(entries, () => s.Out.Table(["at", "action", "tenant", "target", "by", "detail"],
                entries.Select(e => new[] { e.Time("at"), e.Text("action"), e.Text("tenant"), e.Text("target"), e.Text("actor"), e.Text("detail") }), "Nothing audited."));
            return 0;
        });
    }
}
