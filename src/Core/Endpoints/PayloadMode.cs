namespace Webhooks.Core.Endpoints;

/// <summary>What the body of a delivery carries.</summary>
public static class PayloadMode
{
    /// <summary>The event with its data.</summary>
    public const string Full = "full";

    /// <summary>The event without data, with its resource URL: the receiver fetches the state.</summary>
    public const string Thin = "thin";

    public static bool IsValid(string mode) => mode is Full or Thin;
}
