using System.CommandLine;
using Webhooks.Cli.Output;
using static Webhooks.Cli.CommandLine;

namespace Webhooks.Cli.Keys;

/// <summary><c>webhooks keys …</c>: list, create, revoke.</summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "the key's id (key_…)" };
        var tenant = new Option<string?>("--tenant") { Description = "the tenant the key is bound to (none: every tenant)" };
        var role = new Option<string>("--role") { Description = "publisher or admin", Required = true };
        var name = new Option<string?>("--name") { Description = "what the key is for" };
        var limit = new Option<int>("--limit") { Description = "list at most this many", DefaultValueFactory = _ => 50 };
        var yes = YesOption();

        var list = new Command("list", "the API keys (never the keys themselves)").With(tenant, limit).Runs(async s =>
        {
            var keys = await s.Api.ListAsync($"/v1/api-keys?{Query(("tenant", s.Get(tenant)))}", s.Get(limit), s.Cancellation);
            s.Out.Show(keys, () => s.Out.Table(["id", "role", "tenant", "name", "created"],
                keys.Select(k => new[] { k.Text("id"), k.Text("role"), k.Text("tenant") ?? "(all)", k.Text("name"), k.Time("createdAt") }), "No keys."));
            return 0;
        });
        var create = new Command("create", "a new API key, shown once").With(role, tenant, name).Runs(async s =>
        {
            var created = await s.Api.PostAsync("/v1/api-keys", new { role = s.Get(role), tenant = s.Get(tenant), name = s.Get(name) }, s.Cancellation);
            s.Out.Show(created, () => s.Out.Fields(("id", created.Text("id")), ("role", created.Text("role")), ("tenant", created.Text("tenant") ?? "(all)"), ("key (shown this once)", created.Text("key"))));
            return 0;
        });
        var revoke = new Command("revoke", "revoke a key at once").With(id, yes).Runs(async s =>
        {
            if (!s.Confirmed(yes, $"Revoke key {s.Get(id)}? Whatever uses it stops working."))
            {
                return Api.ExitCodes.NotConfirmed;
            }
            await s.Api.DeleteAsync($"/v1/api-keys/{Uri.EscapeDataString(s.Get(id)!)}", s.Cancellation);
            s.Out.Show(new { revoked = s.Get(id) }, () => s.Out.Line($"Revoked {s.Get(id)}."));
            return 0;
        });
        return new Command("keys", "API keys").With(list, create, revoke);
    }
}
