using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Webhooks.Hosting;

namespace Webhooks.Faults;

/// <summary>Runs one scenario: its own virtual host and key prefix, its fleet, endpoints, load and faults; then drains and classifies.</summary>
public sealed class FaultRunner(FaultOptions options, Subscribers subscribers)
{
    // Five minutes: a cluster node killed under load once took 169 s to drain (MassTransit reconnecting; usually ≈ 65 s).
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Retries compressed into seconds (0.5, 1, 2, 4, 8 s), the ladder to match, and a short heartbeat.</summary>
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Webhooks:Retries:Schedule:0"] = "00:00:00.500",
        ["Webhooks:Retries:Schedule:1"] = "00:00:01",
        ["Webhooks:Retries:Schedule:2"] = "00:00:02",
        ["Webhooks:Retries:Schedule:3"] = "00:00:04",
        ["Webhooks:Retries:Schedule:4"] = "00:00:08",
        ["Webhooks:DelayTiers:Shortest"] = "00:00:00.100",
        ["Webhooks:DelayTiers:Count"] = "8",
        ["Webhooks:Broker:Heartbeat"] = Scenarios.Heartbeat.ToString(),
        ["Webhooks:Ingest:PublishTimeout"] = "00:00:03",
        ["Webhooks:Ingest:RetryAfterSeconds"] = "1",
    };

    public async Task<Row> RunAsync(Scenario scenario)
    {
        var servers = new Servers(options);
        var tenant = "faults-" + scenario.Name;
        var (broker, management) = scenario.OnCluster ? (options.Cluster, options.ClusterManagement) : (options.Broker, options.BrokerManagement);
        var vhost = $"faults-{scenario.Name}-{DateTime.UtcNow:HHmmss}";
        Fleet? fleet = null;
        try
        {
            await CreateVirtualHostAsync(management, vhost);
            var hosts = new PlatformHosts(broker + vhost, options.Redis, $"{vhost}:", Settings, environment: "Production");
            fleet = await Fleet.StartAsync(hosts, scenario.Ingests, scenario.Dispatchers);
            var endpoints = new List<Endpoint>
            {
                await SubscribeAsync(fleet, tenant, $"{scenario.Name}-steady", Behaviour.Steady),
                await SubscribeAsync(fleet, tenant, $"{scenario.Name}-fails-first", Behaviour.FailsFirst),
            };
            if (scenario.Flapping)
            {
                endpoints.Add(await SubscribeAsync(fleet, tenant, $"{scenario.Name}-flapping", Behaviour.Flapping));
            }
            if (scenario.Before is { } before)
            {
                await before(servers);
            }
            using var publisher = new Publisher(tenant, scenario.Name, hosts.AdminKey);
            var run = new FaultRun(fleet, servers, publisher);
            run.PublishToIngests();
            var load = publisher.RunAsync(TimeSpan.FromSeconds(options.Seconds), 20);
            var ledger = new Ledger(publisher, subscribers, endpoints, tenant);
            var draining = ledger.DrainAsync(fleet.Admin, load, DrainTimeout);
            string? error = null;
            try
            {
                await scenario.Inject(run);
            }
            catch (Exception e)
            {
                error = $"the fault failed: {e.Message}";
            }
            await load;
            await HealAsync(servers, fleet);
            var outcome = await draining;
            foreach (var (reason, detail) in ledger.Details)
            {
                Console.Error.WriteLine($"  dead-lettered {reason}, for example {detail} (endpoints: {string.Join(", ", endpoints.Select(e => $"{e.Path} {e.Id}"))})");
            }
            foreach (var lost in ledger.LostDeliveries.Take(20))
            {
                Console.Error.WriteLine($"  lost: event {lost}");
            }
            // A fault that left no trace was not tested: Ingest must have said "not now" while the broker or Redis was away.
            if (error is null && scenario.Refuses && !publisher.Refusals.ContainsKey("503"))
            {
                error = "the fault left no trace: Ingest never answered 503";
            }
            return new Row(scenario, outcome, publisher.Refusals, publisher.GivenUp, error);
        }
        catch (Exception e)
        {
            return new Row(scenario, null, new Dictionary<string, int>(), 0, e.Message);
        }
        finally
        {
            if (fleet is not null)
            {
                await fleet.DisposeAsync();
            }
        }
    }

    /// <summary>Whatever the fault left undone is undone: every server up and answering, every host thawed.</summary>
    private static async Task HealAsync(Servers servers, Fleet fleet)
    {
        foreach (var process in fleet.Dispatchers.Concat(fleet.Ingests))
        {
            try
            {
                process.Thaw();
            }
            catch (InvalidOperationException)
            {
                // Gone meanwhile.
            }
        }
        await servers.HealAsync();
    }

    private async Task<Endpoint> SubscribeAsync(Fleet fleet, string tenant, string path, Behaviour behaviour)
    {
        using var admin = fleet.Admin();
        var response = await admin.PostAsJsonAsync("/v1/endpoints", new { tenant, url = subscribers.Add(path, behaviour), eventTypes = new[] { "fault.checked" } });
        response.EnsureSuccessStatusCode();
        return new Endpoint((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!, path);
    }

    private static async Task CreateVirtualHostAsync(string management, string vhost)
    {
        using var http = new HttpClient { BaseAddress = new Uri(management) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        (await http.PutAsync($"/api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"/api/permissions/{vhost}/guest", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }
}
