using Webhooks.Core.SecretsAtRest;

namespace Webhooks.Ingest.Auth;

public static class AuthRegistration
{
    public const string Publisher = "publisher";
    public const string Admin = "admin";

    public static IHostApplicationBuilder AddApiKeyAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<AuthOptions>>(new RefusePlaceholderAdminKey(builder.Environment.IsDevelopment()));
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<Portal.PortalSessionStore>();
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            // A portal session is admitted to the few routes Portal.PortalScope names, on its tenant alone.
            .AddPolicy(Publisher, p => p.RequireAssertion(c => c.User.HasClaim(ApiKeyAuthentication.RoleClaim, ApiKeyRoles.Publisher) || c.User.HasClaim(ApiKeyAuthentication.RoleClaim, ApiKeyRoles.Admin) || Portal.PortalScope.AdmitsPortal(c)))
            .AddPolicy(Admin, p => p.RequireAssertion(c => c.User.HasClaim(ApiKeyAuthentication.RoleClaim, ApiKeyRoles.Admin) || Portal.PortalScope.AdmitsPortal(c)));
        return builder;
    }
}

/// <summary>Outside Development, refuses an admin key that is a placeholder or shorter than a generated one (<see cref="PublishedDefaults.AdminKeyRefusal"/>).</summary>
public sealed class RefusePlaceholderAdminKey(bool development) : Microsoft.Extensions.Options.IValidateOptions<AuthOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, AuthOptions options) =>
        !development && PublishedDefaults.AdminKeyRefusal(options.AdminKey, $"{AuthOptions.Section}:AdminKey") is { } refusal
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(refusal)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
