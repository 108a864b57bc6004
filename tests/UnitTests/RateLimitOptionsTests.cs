using System.ComponentModel.DataAnnotations;
using Webhooks.Dispatcher.RateLimiting;

namespace Webhooks.UnitTests;

public sealed class RateLimitOptionsTests
{
    [Theory]
    [InlineData("00:00:00.500", "00:00:30", true)]
    [InlineData("00:00:00", "00:00:00", true)]
    [InlineData("-00:00:01", "00:00:30", false)]
    [InlineData("00:00:10", "00:00:05", false)]
    [InlineData("00:00:00.500", "02:00:00", false)]
    public void The_bounds_of_a_wait_at_the_in_flight_cap_must_be_ordered_and_not_negative(string shortest, string longest, bool valid)
    {
        var options = new RateLimitOptions { InFlightRetryDelay = TimeSpan.Parse(shortest), MaxInFlightWait = TimeSpan.Parse(longest) };

        var errors = new List<ValidationResult>();
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Equal(valid ? 0 : 1, errors.Count(e => e.ErrorMessage!.Contains("MaxInFlightWait", StringComparison.Ordinal)));
    }
}
