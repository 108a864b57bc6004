using Webhooks.Core.Events;

namespace Webhooks.UnitTests;

/// <summary>What Ingest says in an event message's headers, and what fan-out makes of headers it did not write (a bus publisher's).</summary>
public sealed class EventHeadersTests
{
    [Fact]
    public void A_version_reads_back_as_written() => Assert.Equal(42, EventHeaders.VersionOf(EventHeaders.VersionValue(42)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData(" 5")]
    [InlineData("5.0")]
    [InlineData("abc")]
    [InlineData("99999999999999999999")]
    public void A_version_header_that_is_not_one_is_no_version(string? header) => Assert.Null(EventHeaders.VersionOf(header));

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_value_Ingest_writes_says_the_event_is_kept(string? header, bool kept) => Assert.Equal(kept, EventHeaders.IsKept(header));
}
