using System.Net.Http.Json;
using System.Text.Json;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class AuditTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    [Fact]
    public async Task Every_change_and_bulk_operation_is_written_to_an_audit_log_its_tenant_can_read_and_no_other()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("audited", "https://hooks.example.com/a", ["*"]);
        await system.Ingest.PatchAsJsonAsync($"/v1/endpoints/{endpointId}", new { description = "changed" });
        await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/secret/rotate", null);
        await system.Ingest.PostAsync($"/v1/endpoints/{endpointId}/disable", null);
        await system.Ingest.DeleteAsync("/v1/dead-letters?tenant=audited");
        await system.Ingest.PutAsJsonAsync("/v1/tenants/audited/quotas", new { endpoints = 50 });
        var key = await (await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "audited", name = "audited's admin" })).Content.ReadFromJsonAsync<JsonElement>();
        var keyId = key.GetProperty("id").GetString()!;
        var other = await (await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "not-audited" })).Content.ReadFromJsonAsync<JsonElement>();
        using var asTenant = WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), key.GetProperty("key").GetString());
        await asTenant.DeleteAsync($"/v1/endpoints/{endpointId}");

        var log = (await system.Ingest.GetFromJsonAsync<JsonElement>("/v1/audit?tenant=audited")).GetProperty("data").EnumerateArray().ToList();
        var seenByTenant = (await asTenant.GetFromJsonAsync<JsonElement>("/v1/audit")).GetProperty("data").EnumerateArray().ToList();
        using var asOther = WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), other.GetProperty("key").GetString());
        var seenByOther = (await asOther.GetFromJsonAsync<JsonElement>("/v1/audit")).GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(["endpoint.deleted", "key.created", "quotas.set", "dead_letters.purged", "endpoint.disabled", "endpoint.secret_rotated", "endpoint.updated", "endpoint.created"],
            log.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(keyId, log[0].GetProperty("actor").GetString());
        Assert.Equal("description", Assert.Single(log.Single(e => e.GetProperty("action").GetString() == "endpoint.updated").GetProperty("detail").GetProperty("fields").EnumerateArray()).GetString());
        Assert.Equal(log.Select(e => e.GetProperty("id").GetString()), seenByTenant.Select(e => e.GetProperty("id").GetString()));
        Assert.DoesNotContain(seenByOther, e => e.GetProperty("tenant").GetString() == "audited");
    }

    [Fact]
    public async Task A_bulk_job_by_endpoint_is_audited_under_the_endpoints_tenant_and_the_action_it_performed()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("shop-audit", "https://hooks.example.com/shop", ["*"]);
        var jobs = new List<string>();
        foreach (var kind in new[] { "purge", "purge", "redrive" })
        {
            var created = await (await system.Ingest.PostAsJsonAsync("/v1/jobs", new { kind, endpointId })).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("shop-audit", created.GetProperty("tenant").GetString());
            jobs.Add(created.GetProperty("id").GetString()!);
        }
        foreach (var id in jobs)
        {
            await Eventually.HoldsAsync(() => system.Ingest.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}"), j => j.GetProperty("status").GetString() == "done", $"job {id} is done");
        }

        var purged = await Eventually.HoldsAsync(() => system.Ingest.GetFromJsonAsync<JsonElement>("/v1/audit?tenant=shop-audit&action=dead_letters.purged"),
            a => a.GetProperty("data").GetArrayLength() == 2, "both purges are audited as purges");
        var redriven = (await system.Ingest.GetFromJsonAsync<JsonElement>("/v1/audit?tenant=shop-audit&action=dead_letters.redriven")).GetProperty("data");

        Assert.Equal(jobs.Take(2).Order(), purged.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("detail").GetProperty("jobId").GetString()!).Order());
        Assert.Equal(jobs[2], Assert.Single(redriven.EnumerateArray()).GetProperty("detail").GetProperty("jobId").GetString());
        Assert.All(purged.GetProperty("data").EnumerateArray(), e => Assert.Equal("shop-audit", e.GetProperty("tenant").GetString()));
        Assert.Equal(3, (await system.Ingest.GetFromJsonAsync<JsonElement>("/v1/audit?tenant=shop-audit&action=job.created")).GetProperty("data").GetArrayLength());
    }
}
