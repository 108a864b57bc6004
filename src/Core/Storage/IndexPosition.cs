namespace Webhooks.Core.Storage;

/// <summary>
/// A place in a time index (a sorted set, newest first): the score (ms) and member of the last entry
/// looked at. Members with the same score come in reverse order, so those not yet seen sort before it.
/// </summary>
public sealed record IndexPosition(double Score, string Id);
