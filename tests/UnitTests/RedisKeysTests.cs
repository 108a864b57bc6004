using Webhooks.Core.Storage;

namespace Webhooks.UnitTests;

/// <summary>Every key name and pattern the platform writes, as installations have them: a name that changed would leave their data behind.</summary>
public sealed partial class RedisKeysTests
{
    public static TheoryData<string, string> Names => new()
    {
        { RedisKeys.Event.Record("evt_1"), "event:{evt_1}" },
        { RedisKeys.Event.FanOut("evt_1"), "event:{evt_1}:fanned-out" },
        { RedisKeys.Delivery.Records("evt_1"), "event:{evt_1}:deliveries" },
        { RedisKeys.Delivery.Attempts("evt_1", "dlv_2"), "event:{evt_1}:delivery:dlv_2:attempts" },
        { RedisKeys.Endpoint.Record("ep_1"), "endpoint:{ep_1}" },
        { RedisKeys.Endpoint.Attempts("ep_1"), "endpoint:{ep_1}:attempts" },
        { RedisKeys.Endpoint.AttemptBytes("ep_1"), "endpoint:{ep_1}:attempts:bytes" },
        { RedisKeys.Endpoint.Pending("ep_1"), "endpoint:{ep_1}:pending" },
        { RedisKeys.Endpoint.StatsSummary("ep_1"), "endpoint:{ep_1}:stats" },
        { RedisKeys.Endpoint.StatsBucket("ep_1", 5, 5907456), "endpoint:{ep_1}:stats:5m:5907456" },
        { RedisKeys.Endpoint.StatsBucket("ep_1", 60, 492288), "endpoint:{ep_1}:stats:60m:492288" },
        { RedisKeys.Endpoint.FailingSince("ep_1"), "endpoint:{ep_1}:failing-since" },
        { RedisKeys.Endpoint.FailingAnnounced("ep_1"), "endpoint:{ep_1}:failing-announced" },
        { RedisKeys.Endpoint.RateCell("ep_1"), "ratelimit:ep_1" },
        { RedisKeys.Endpoint.RateTurns("ep_1"), "ratelimit:ep_1:turns" },
        { RedisKeys.Endpoint.InFlight("ep_1"), "endpoint:{ep_1}:inflight" },
        { RedisKeys.Endpoint.InFlightTurns("ep_1"), "inflight:ep_1:turns" },
        { RedisKeys.Endpoint.DataFetches("ep_1"), "datalinks:ep_1" },
        { RedisKeys.Endpoint.FailedDataLinks("ep_1"), "datalinks:failed:ep_1" },
        { RedisKeys.Endpoint.DeadLetters("ep_1"), "deadletters:endpoint:ep_1" },
        { RedisKeys.Tenant.Events("acme"), "tenant:{acme}:events" },
        { RedisKeys.Tenant.Endpoints("acme"), "tenant:{acme}:endpoints" },
        { RedisKeys.Tenant.EndpointsVersion("acme"), "tenant:{acme}:endpoints:version" },
        { RedisKeys.Tenant.QuotaOverrides("acme"), "tenant:{acme}:quotas" },
        { RedisKeys.Tenant.EventsQuota("acme"), "tenant:{acme}:quota:events" },
        { RedisKeys.Tenant.BytesQuota("acme"), "tenant:{acme}:quota:bytes" },
        { RedisKeys.Tenant.Allowance("events", "acme"), "allowance:events:acme" },
        { RedisKeys.Tenant.Allowance("deliveries", "acme"), "allowance:deliveries:acme" },
        { RedisKeys.Tenant.Idempotency("acme", "order-1"), "idempotency:acme:order-1" },
        { RedisKeys.Tenant.BatchIdempotency("acme", "order-1"), "idempotency-batch:acme:order-1" },
        { RedisKeys.Tenant.DeadLetters("acme"), "deadletters:tenant:acme" },
        { RedisKeys.Tenant.Audit("acme"), "audit:tenant:acme" },
        { RedisKeys.Tenant.Jobs("acme"), "jobs:tenant:acme" },
        { RedisKeys.DeadLetter.Record("dl_1"), "deadletter:dl_1" },
        { RedisKeys.DeadLetter.UnshardedAll, "deadletters" },
        { RedisKeys.DeadLetter.UnshardedReason("exhausted"), "deadletters:reason:exhausted" },
        { RedisKeys.Catalog.EventTypes, "catalog:{event-types}" },
        { RedisKeys.Catalog.Version, "catalog:{event-types}:version" },
        { RedisKeys.Global.AllEndpoints, "endpoints" },
        { RedisKeys.Global.ApiKeys, "apikeys" },
        { RedisKeys.Global.ApiKey("key_1"), "apikey:key_1" },
        { RedisKeys.Global.ApiKeyByHash("ab12"), "apikey-hash:ab12" },
        { RedisKeys.Global.Job("job_1"), "job:job_1" },
        { RedisKeys.Global.JobLease("job_1"), "job:job_1:lease" },
        { RedisKeys.Global.ActiveJobs, "jobs:active" },
        { RedisKeys.Global.Jobs, "jobs" },
        { RedisKeys.Global.AuditEntry("aud_1"), "audit:entry:aud_1" },
        { RedisKeys.Global.Audit, "audit" },
        { RedisKeys.Global.FailedDataLinksFrom("127.0.0.1"), "datalinks:failed-from:127.0.0.1" },
        { RedisKeys.Global.TaggedKeysMigrated, "migrations:tagged-keys" },
        { RedisKeys.Global.DeadLetterShardsMigrated, "migrations:sharded-deadletters" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void A_key_keeps_the_name_installations_have(string built, string expected) => Assert.Equal(expected, built);

    [Fact]
    public void Deleting_an_endpoint_takes_every_key_of_its_own_but_its_dead_letters()
    {
        Assert.Equal(
            ["endpoint:{ep_1}", "endpoint:{ep_1}:failing-since", "endpoint:{ep_1}:failing-announced", "endpoint:{ep_1}:attempts", "endpoint:{ep_1}:attempts:bytes", "endpoint:{ep_1}:stats", "endpoint:{ep_1}:pending", "endpoint:{ep_1}:inflight"],
            RedisKeys.Endpoint.TaggedOwnedBy("ep_1"));
        Assert.All(RedisKeys.Endpoint.TaggedOwnedBy("ep_1"), key => Assert.Contains("{ep_1}", key));
        Assert.Equal(["ratelimit:ep_1", "ratelimit:ep_1:turns", "inflight:ep_1:turns", "datalinks:ep_1", "datalinks:failed:ep_1"], RedisKeys.Endpoint.UntaggedOwnedBy("ep_1"));
    }

    /// <summary>
    /// No file builds a key's name but the key list: a key with another name would escape this snapshot. Tests, the
    /// bench and the fault suite too, but for the tests that hold the names themselves as what to expect.
    /// </summary>
    [Fact]
    public void No_source_file_but_the_key_list_names_a_key()
    {
        var root = Repository.Root;
        string[] names = [Path.Combine("src", "Core", "Storage", "RedisKeys.cs"), Path.Combine("tests", "UnitTests", "RedisKeysTests.cs"),
            Path.Combine("tests", "UnitTests", "TaggedKeysTests.cs")];
        var offenders = new[] { "src", "tests", "bench", "faults" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")
                && !names.Contains(Path.GetRelativePath(root, f)))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => StringLiteral().Matches(x.line).Any(m => KeyName().IsMatch(m.Groups["text"].Value)
                || WholeKeyName().IsMatch(m.Groups["text"].Value) && x.line.Contains("Key", StringComparison.Ordinal)))
            .Select(x => $"{Path.GetRelativePath(root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.Empty(offenders);
    }

    /// <summary>The dead-letter indexes' sixteen shards, as installations have them.</summary>
    [Fact]
    public void The_dead_letter_shards_keep_their_names()
    {
        Assert.Equal(ShardNames, Enumerable.Range(0, RedisKeys.DeadLetter.Shards).Select(RedisKeys.DeadLetter.AllShard));
        Assert.Equal(ShardNames.Select(n => n.Replace("deadletters:", "deadletters:reason:exhausted:", StringComparison.Ordinal)),
            Enumerable.Range(0, RedisKeys.DeadLetter.Shards).Select(shard => RedisKeys.DeadLetter.ReasonShard("exhausted", shard)));
    }

    private static readonly string[] ShardNames =
    [
        "deadletters:{dl0-12}", "deadletters:{dl1-11}", "deadletters:{dl2-2}", "deadletters:{dl3-1}", "deadletters:{dl4-62}", "deadletters:{dl5-61}", "deadletters:{dl6-42}", "deadletters:{dl7-41}",
        "deadletters:{dl8-21}", "deadletters:{dl9-22}", "deadletters:{dl10-10}", "deadletters:{dl11-13}", "deadletters:{dl12-22}", "deadletters:{dl13-21}", "deadletters:{dl14-60}", "deadletters:{dl15-63}",
    ];

    [System.Text.RegularExpressions.GeneratedRegex("\\$?\"(?<text>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial System.Text.RegularExpressions.Regex StringLiteral();

    /// <summary>A key's name or pattern: an owner's prefix and a colon (<c>event:{…}</c>, <c>ratelimit:ep_1</c>, <c>apikey:*</c>).</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^(event|endpoint|tenant|delivery|ratelimit|inflight|datalinks|deadletters?|allowance|idempotency(-batch)?|apikey(-hash)?|jobs?|audit|migrations):([^ ]|$)")]
    private static partial System.Text.RegularExpressions.Regex KeyName();

    /// <summary>The keys named by a word alone; only where the line speaks of a key (the words are common).</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^(endpoints|apikeys|jobs|audit|deadletters)$")]
    private static partial System.Text.RegularExpressions.Regex WholeKeyName();
}
