using System.Net;
using System.Net.Http.Json;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class EndpointVersionTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    [Fact]
    public async Task A_write_with_an_old_ETag_is_refused_with_412_and_changes_nothing()
    {
        var (id, _) = await system.CreateEndpointAsync("versions", "https://hooks.example.com/v", ["*"]);
        var read = await system.Ingest.GetAsync($"/v1/endpoints/{id}");
        var etag = read.Headers.ETag!.Tag;
        var patched = await Send(HttpMethod.Patch, $"/v1/endpoints/{id}", etag, new { description = "first" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.NotEqual(etag, patched.Headers.ETag!.Tag);

        // Still holding the first read's ETag: every kind of write is refused.
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Patch, "", new { description = "second" }), (HttpMethod.Post, "/disable", null), (HttpMethod.Post, "/secret/rotate", null), (HttpMethod.Delete, "", null),
        })
        {
            var stale = await Send(method, $"/v1/endpoints/{id}{path}", etag, body);
            Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
            Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        }
        var now = await system.Ingest.GetAsync($"/v1/endpoints/{id}");
        var endpoint = (await now.Content.ReadFromJsonAsync<EndpointView>())!;
        Assert.Equal(("first", true), (endpoint.Description, endpoint.Enabled));
        Assert.Equal(patched.Headers.ETag!.Tag, now.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.NoContent, (await Send(HttpMethod.Delete, $"/v1/endpoints/{id}", now.Headers.ETag!.Tag, null)).StatusCode);
    }

    [Fact]
    public async Task Concurrent_rotations_each_replace_the_secret_the_one_before_them_set()
    {
        var (id, original) = await system.CreateEndpointAsync("versions", "https://hooks.example.com/r", ["*"]);

        var rotations = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
            (await (await system.Ingest.PostAsync($"/v1/endpoints/{id}/secret/rotate", null)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<EndpointSecretView>())!));

        // A lost update shows as two rotations that both replaced the same secret (and one new secret never replaced by anything).
        var replaced = rotations.Select(r => r.PreviousSecret).ToList();
        Assert.Equal(replaced.Count, replaced.Distinct().Count());
        Assert.Contains(original, replaced);
        var final = (await system.Ingest.GetFromJsonAsync<EndpointSecretView>($"/v1/endpoints/{id}/secret"))!;
        Assert.DoesNotContain(final.Secret, replaced);
    }

    [Fact]
    public async Task Concurrent_changes_to_different_fields_all_land()
    {
        var (id, _) = await system.CreateEndpointAsync("versions", "https://hooks.example.com/f", ["*"]);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            system.Ingest.PatchAsJsonAsync($"/v1/endpoints/{id}", (object)(i % 2 == 0 ? new { description = "described" } : new { timeoutSeconds = 7 }))));
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => system.Ingest.PostAsync($"/v1/endpoints/{id}/disable", null)));

        var endpoint = (await system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{id}"))!;
        Assert.Equal(("described", 7, false), (endpoint.Description, endpoint.TimeoutSeconds, endpoint.Enabled));
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, string etag, object? body)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.IfMatch.ParseAdd(etag);
        return system.Ingest.SendAsync(request);
    }
}
