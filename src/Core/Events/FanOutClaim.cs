namespace Webhooks.Core.Events;

public enum FanOutClaim
{
    Claimed,
    AlreadyDone,
    HeldElsewhere,
}
