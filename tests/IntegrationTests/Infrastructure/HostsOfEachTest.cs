using Microsoft.AspNetCore.Builder;

namespace Webhooks.IntegrationTests.Infrastructure;

/// <summary>
/// Tests that share a <see cref="WebhooksSystem"/> and each start their own hosts: whatever a test started is stopped when it ends,
/// passed or failed, so one failure cannot spread to the tests after it.
/// </summary>
public abstract class HostsOfEachTest : IAsyncLifetime
{
    private IReadOnlySet<WebApplication> _running = null!;

    /// <summary>The shared system the test starts its hosts on.</summary>
    protected abstract WebhooksSystem Shared { get; }

    public Task InitializeAsync()
    {
        _running = Shared.RunningHosts();
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => Shared.StopHostsStartedSinceAsync(_running);
}
