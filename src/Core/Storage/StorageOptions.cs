using System.ComponentModel.DataAnnotations;

namespace Webhooks.Core.Storage;

/// <summary>How long and how much Redis keeps (section <c>Webhooks:Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string Section = "Webhooks:Storage";

    /// <summary>
    /// Prefixed to every key, so several installations (or test fixtures) share one Redis. No braces: a
    /// hash tag in the prefix would put every key in one Redis Cluster slot (<see cref="RedisKeys"/>).
    /// </summary>
    [RegularExpression(@"^[^{}]*$", ErrorMessage = "Webhooks:Storage:KeyPrefix must hold no '{' or '}' (a hash tag would put every key in one Redis Cluster slot).")]
    public string KeyPrefix { get; set; } = "webhooks:";

    /// <summary>How long events, their delivery states and attempts are kept.</summary>
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(7);

    [Range(1, 100_000)]
    public int AttemptsPerEndpoint { get; set; } = 1000;

    [Range(1, 1000)]
    public int AttemptsPerDelivery { get; set; } = 50;
}
