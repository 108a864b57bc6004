using System.Net.Http.Json;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Jobs;
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
        var key = await (await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "audited", name = "audited's admin" })).Content.ReadFromJsonAsync<ApiKeyView>();
        var keyId = key!.Id;
        var other = await (await system.Ingest.PostAsJsonAsync("/v1/api-keys", new { role = "admin", tenant = "not-audited" })).Content.ReadFromJsonAsync<ApiKeyView>();
        using var asTenant = WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), key.Key);
        await asTenant.DeleteAsync($"/v1/endpoints/{endpointId}");

        var log = (await system.Ingest.GetFromJsonAsync<AuditPage>("/v1/audit?tenant=audited"))!.Data;
        var seenByTenant = (await asTenant.GetFromJsonAsync<AuditPage>("/v1/audit"))!.Data;
        using var asOther = WebhooksSystem.Client(system.Ingest.BaseAddress!.ToString(), other!.Key);
        var seenByOther = (await asOther.GetFromJsonAsync<AuditPage>("/v1/audit"))!.Data;

        Assert.Equal(["endpoint.deleted", "key.created", "quotas.set", "dead_letters.purged", "endpoint.disabled", "endpoint.secret_rotated", "endpoint.updated", "endpoint.created"],
            log.Select(e => e.Action));
        Assert.Equal(keyId, log[0].Actor);
        Assert.Equal("description", Assert.Single(log.Single(e => e.Action == "endpoint.updated").Detail!.Value.GetProperty("fields").EnumerateArray()).GetString());
        Assert.Equal(log.Select(e => e.Id), seenByTenant.Select(e => e.Id));
        Assert.DoesNotContain(seenByOther, e => e.Tenant == "audited");
    }

    [Fact]
    public async Task A_bulk_job_by_endpoint_is_audited_under_the_endpoints_tenant_and_the_action_it_performed()
    {
        var (endpointId, _) = await system.CreateEndpointAsync("shop-audit", "https://hooks.example.com/shop", ["*"]);
        var jobs = new List<string>();
        foreach (var kind in new[] { "purge", "purge", "redrive" })
        {
            var created = await (await system.Ingest.PostAsJsonAsync("/v1/jobs", new { kind, endpointId })).Content.ReadFromJsonAsync<Job>();
            Assert.Equal("shop-audit", created!.Tenant);
            jobs.Add(created.Id);
        }
        foreach (var id in jobs)
        {
            await Eventually.HoldsAsync(() => system.Ingest.GetFromJsonAsync<Job>($"/v1/jobs/{id}"), j => j!.Status == "done", $"job {id} is done");
        }

        var purged = (await Eventually.HoldsAsync(() => system.Ingest.GetFromJsonAsync<AuditPage>("/v1/audit?tenant=shop-audit&action=dead_letters.purged"),
            a => a!.Data.Count == 2, "both purges are audited as purges"))!.Data;
        var redriven = (await system.Ingest.GetFromJsonAsync<AuditPage>("/v1/audit?tenant=shop-audit&action=dead_letters.redriven"))!.Data;

        Assert.Equal(jobs.Take(2).Order(), purged.Select(e => e.Detail!.Value.GetProperty("jobId").GetString()!).Order());
        Assert.Equal(jobs[2], Assert.Single(redriven).Detail!.Value.GetProperty("jobId").GetString());
        Assert.All(purged, e => Assert.Equal("shop-audit", e.Tenant));
        Assert.Equal(3, (await system.Ingest.GetFromJsonAsync<AuditPage>("/v1/audit?tenant=shop-audit&action=job.created"))!.Data.Count);
    }
}
