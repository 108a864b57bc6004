using System.Text;
using System.Text.Json;
using Webhooks.Dispatcher.Deliveries;

namespace Webhooks.UnitTests;

public sealed class KeptBodyTests
{
    [Fact]
    public void Control_bytes_are_replaced_and_the_escaped_body_stays_within_twice_the_kept_bytes()
    {
        var body = Enumerable.Repeat((byte)0x01, WebhookSender.KeptResponseBytes).ToArray();

        var kept = WebhookSender.KeptBody(body);

        Assert.DoesNotContain('\u0001', kept);
        Assert.InRange(JsonSerializer.Serialize(kept).Length, 1, 2 * WebhookSender.KeptResponseBytes + 2);
    }

    [Fact]
    public void An_ordinary_body_is_kept_as_it_came_with_its_line_breaks()
    {
        const string text = "{\"error\":\"nope\"}\r\n\tretry later — déjà vu";

        Assert.Equal(text, WebhookSender.KeptBody(Encoding.UTF8.GetBytes(text)));
    }
}
