namespace Webhooks.Dispatcher.Admission;

/// <summary>Why a delivery was put off without an attempt.</summary>
public enum DeferralCause
{
    /// <summary>It came back from a delay tier before its due time and hops again.</summary>
    NotDue,

    /// <summary>Redis is away and this dispatcher has never seen the endpoint.</summary>
    UnknownEndpoint,

    /// <summary>The endpoint has all its requests in flight; the delivery takes a turn in line.</summary>
    MaxInFlight,

    /// <summary>The endpoint's rate limit has no room before the in-place wait ends.</summary>
    RateLimit,
}
