using Webhooks.ServiceDefaults;

namespace Webhooks.UnitTests;

public class BrokerConfirmsTests
{
    private static readonly BrokerOptions Broker = new() { ConfirmTimeout = TimeSpan.FromMilliseconds(200) };
    private static readonly BrokerOptions Patient = new() { ConfirmTimeout = TimeSpan.FromMinutes(1) };

    [Fact]
    public async Task A_send_the_broker_never_confirms_fails_once_the_confirm_timeout_passed()
    {
        // What RabbitMQ.Client 7.2 can do with a publish whose connection went: never end it.
        var never = new TaskCompletionSource().Task;

        var failure = await Assert.ThrowsAsync<BrokerUnconfirmedException>(() => never.Confirmed(Broker));

        Assert.Contains("0.2 s", failure.Message);
        Assert.IsType<TimeoutException>(failure.InnerException);
    }

    [Fact]
    public async Task A_confirmed_send_passes_and_a_failed_one_fails_with_its_own_error()
    {
        var confirm = new TaskCompletionSource();
        var confirmed = confirm.Task.Confirmed(Patient);
        confirm.SetResult();
        await confirmed;

        var refused = Task.FromException(new InvalidOperationException("channel closed"));
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => refused.Confirmed(Patient));
        Assert.Equal("channel closed", failure.Message);
    }
}
