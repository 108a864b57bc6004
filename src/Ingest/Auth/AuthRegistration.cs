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
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Publisher, p => p.RequireClaim(ApiKeyAuthentication.RoleClaim, ApiKeyRoles.Publisher, ApiKeyRoles.Admin))
            .AddPolicy(Admin, p => p.RequireClaim(ApiKeyAuthentication.RoleClaim, ApiKeyRoles.Admin));
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
