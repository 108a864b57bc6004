using System.Net;
using System.Net.Http.Json;
using System.Text;
using Webhooks.Ingest.Endpoints;
using Webhooks.IntegrationTests.Infrastructure;

namespace Webhooks.IntegrationTests;

public sealed class EndpointsApiTests(WebhooksSystem system) : IClassFixture<WebhooksSystem>
{
    [Fact]
    public async Task An_endpoint_is_created_read_listed_changed_and_deleted()
    {
        var created = await system.Ingest.PostAsJsonAsync("/v1/endpoints", new { tenant = "lifecycle", url = "https://hooks.example.com/a", eventTypes = new[] { "order.*" }, description = "orders" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var endpoint = (await created.Content.ReadFromJsonAsync<EndpointView>())!;
        var id = endpoint.Id;
        Assert.StartsWith("whsec_", endpoint.Secret);
        Assert.Equal($"/v1/endpoints/{id}", created.Headers.Location?.ToString());

        var read = (await system.Ingest.GetFromJsonAsync<EndpointView>($"/v1/endpoints/{id}"))!;
        Assert.Equal("orders", read.Description);
        Assert.Null(read.Secret);

        var list = (await system.Ingest.GetFromJsonAsync<EndpointPage>("/v1/endpoints?tenant=lifecycle"))!;
        Assert.Equal(id, Assert.Single(list.Data).Id);

        var patched = await system.Ingest.PatchAsJsonAsync($"/v1/endpoints/{id}", new { url = "https://hooks.example.com/b", timeoutSeconds = 5 });
        var changed = (await patched.Content.ReadFromJsonAsync<EndpointView>())!;
        Assert.Equal(("https://hooks.example.com/b", 5, "orders"), (changed.Url, changed.TimeoutSeconds, changed.Description));

        var disabled = (await (await system.Ingest.PostAsync($"/v1/endpoints/{id}/disable", null)).Content.ReadFromJsonAsync<EndpointView>())!;
        Assert.False(disabled.Enabled);

        Assert.Equal(HttpStatusCode.NoContent, (await system.Ingest.DeleteAsync($"/v1/endpoints/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await system.Ingest.GetAsync($"/v1/endpoints/{id}")).StatusCode);
        Assert.Empty((await system.Ingest.GetFromJsonAsync<EndpointPage>("/v1/endpoints?tenant=lifecycle"))!.Data);
    }

    [Fact]
    public async Task A_rotated_secret_keeps_the_old_one_for_the_grace_period()
    {
        var (id, original) = await system.CreateEndpointAsync("rotation", "https://hooks.example.com/r", ["*"]);

        var rotated = (await (await system.Ingest.PostAsync($"/v1/endpoints/{id}/secret/rotate", null)).Content.ReadFromJsonAsync<EndpointSecretView>())!;
        var read = (await system.Ingest.GetFromJsonAsync<EndpointSecretView>($"/v1/endpoints/{id}/secret"))!;

        Assert.NotEqual(original, rotated.Secret);
        Assert.Equal(original, rotated.PreviousSecret);
        Assert.Equal(rotated.Secret, read.Secret);
        Assert.Equal(original, read.PreviousSecret);
        Assert.True(rotated.PreviousSecretExpiresAt > DateTimeOffset.UtcNow.AddHours(23));
    }

    public static TheoryData<string, string> BadEndpoints => new()
    {
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"]", "not valid JSON" },
        { "{\"tenant\":\"bad\",\"url\":\"ftp://x.example/\",\"eventTypes\":[\"*\"]}", "http or https" },
        { "{\"tenant\":\"bad\",\"url\":\"https://user:pw@x.example/\",\"eventTypes\":[\"*\"]}", "user name or password" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[]}", "filter is empty" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"Order.*.x\"]}", "not an event type or wildcard" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\"}", "eventTypes filter is required" },
        { "{\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"]}", "tenant is required" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"],\"headers\":{\"webhook-id\":\"x\"}}", "cannot be overridden" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"],\"payload\":\"fat\"}", "'full' or 'thin'" },
        // '$' matches before a final newline: each rule ends at the end of the text.
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"],\"headers\":{\"X-A\\n\":\"x\"}}", "not a valid header name" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"order.created\\n\"]}", "not an event type or wildcard" },
        { "{\"tenant\":\"bad\\n\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"]}", "letters, digits" },
        // Headers HttpClient would drop unsent (they describe a body): refused, not stored to be silently lost.
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"],\"headers\":{\"Content-Disposition\":\"inline\"}}", "would never be sent" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"],\"headers\":{\"Content-Language\":\"de\"}}", "would never be sent" },
        { "{\"tenant\":\"bad\",\"url\":\"https://x.example/\",\"eventTypes\":[\"*\"],\"headers\":{\"Expires\":\"0\"}}", "would never be sent" },
    };

    [Theory]
    [MemberData(nameof(BadEndpoints))]
    public async Task A_bad_endpoint_gets_a_problem_that_says_what_is_wrong_and_stores_nothing(string body, string explanation)
    {
        var response = await system.Ingest.PostAsync("/v1/endpoints", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(explanation, await response.Content.ReadAsStringAsync());
        Assert.Empty((await system.Ingest.GetFromJsonAsync<EndpointPage>("/v1/endpoints?tenant=bad"))!.Data);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("PATCH", "")]
    [InlineData("DELETE", "")]
    [InlineData("POST", "/enable")]
    [InlineData("GET", "/secret")]
    [InlineData("POST", "/secret/rotate")]
    [InlineData("GET", "/attempts")]
    public async Task An_unknown_endpoint_answers_404_as_a_problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/endpoints/ep_missing{path}");
        if (method == "PATCH")
        {
            request.Content = JsonContent.Create(new { description = "x" });
        }

        var response = await system.Ingest.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ep_missing", await response.Content.ReadAsStringAsync());
    }
}
