namespace Webhooks.Ingest.Auth;

/// <summary>What a key may do: <c>publisher</c> publishes and reads events; <c>admin</c> does everything.</summary>
public static class ApiKeyRoles
{
    public const string Publisher = "publisher";
    public const string Admin = "admin";

    public static bool IsValid(string role) => role is Publisher or Admin;
}
