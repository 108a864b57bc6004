using Webhooks.Core.SecretsAtRest;

namespace Webhooks.Ingest.Auth;

public static class AuthRegistration
{
    public const string Publisher = "publisher";
    public const string Admin = "admin";

    public static IHostApplicationBuilder AddApiKeyAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => builder.Environment.IsDevelopment() || o.AdminKey != PublishedDefaults.AdminKey, PublishedDefaults.Refusal($"{AuthOptions.Section}:AdminKey"))
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Publisher, p => p.RequireClaim(ApiKeyAuthentication.RoleClaim, ApiKeyRoles.Publisher, ApiKeyRoles.Admin))
            .AddPolicy(Admin, p => p.RequireClaim(ApiKeyAuthentication.RoleClaim, ApiKeyRoles.Admin));
        return builder;
    }
}
