using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Webhooks.Ingest.Auth;

/// <summary><c>Authorization: Bearer &lt;api key&gt;</c>: the configured admin key, or a key from the store.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    Portal.PortalSessionStore portalSessions,
    IOptions<AuthOptions> auth,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string RoleClaim = "webhooks:role";
    public const string TenantClaim = "webhooks:tenant";
    public const string KeyIdClaim = "webhooks:key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var secret = header["Bearer ".Length..].Trim();
        if (auth.Value.AdminKey is { Length: > 0 } admin && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(ApiKeyStore.HashOf(secret)), Encoding.UTF8.GetBytes(ApiKeyStore.HashOf(admin))))
        {
            return Success(new ApiKey { Id = "configured-admin", Role = ApiKeyRoles.Admin, Hash = "", Prefix = "", CreatedAt = default });
        }
        if (secret.StartsWith(Portal.PortalSessionStore.SessionPrefix, StringComparison.Ordinal))
        {
            return await portalSessions.FindAsync(secret) is { } session
                ? Success(new ApiKey { Id = session.Id, Role = Portal.PortalScope.Role, Tenant = session.Tenant, Hash = "", Prefix = "", CreatedAt = session.CreatedAt }, Portal.PortalScope.ClaimsOf(session))
                : AuthenticateResult.Fail("Unknown or expired portal session.");
        }
        return await keys.FindBySecretAsync(secret) is { } key ? Success(key) : AuthenticateResult.Fail("Unknown API key.");
    }

    private AuthenticateResult Success(ApiKey key, IEnumerable<Claim>? more = null)
    {
        List<Claim> claims = [new(RoleClaim, key.Role), new(KeyIdClaim, key.Id), .. more ?? []];
        if (key.Tenant is not null)
        {
            claims.Add(new Claim(TenantClaim, key.Tenant));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, KeyIdClaim, RoleClaim)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblem("Unauthorized", "Send an API key as 'Authorization: Bearer <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteProblem("Forbidden", Context.Items.TryGetValue(Portal.PortalScope.RefusalItem, out var why) && why is string portal ? portal : "This API key's role does not allow this operation.");
    }

    private async Task WriteProblem(string title, string detail) =>
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = { Status = Response.StatusCode, Title = title, Detail = detail } });
}
