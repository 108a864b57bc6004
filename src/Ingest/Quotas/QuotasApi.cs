using System.Security.Claims;
using Webhooks.Core.Events;
using Webhooks.Core.Quotas;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Quotas;

/// <summary>
/// A tenant's quotas: read by any key of that tenant, set by an operator (an admin key bound to no
/// tenant) — a tenant cannot raise its own.
/// </summary>
public static class QuotasApi
{
    private const int MaxRequestBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapQuotasApi(this IEndpointRouteBuilder routes)
    {
        var quotas = routes.MapGroup("/v1/tenants/{tenant}/quotas").WithTags("Quotas");
        quotas.MapGet("/", Get).RequireAuthorization(AuthRegistration.Publisher);
        quotas.MapPut("/", Set).RequireAuthorization(AuthRegistration.Admin);
        return routes;
    }

    private static async Task<IResult> Get(string tenant, ClaimsPrincipal user, TenantQuotaStore quotas)
    {
        if (Refuse(tenant, Caller.Of(user), operatorOnly: false) is { } refused)
        {
            return refused;
        }
        return TypedResults.Ok(QuotaView.Of(tenant, await quotas.GetOverridesAsync(tenant), quotas.Defaults));
    }

    private static async Task<IResult> Set(string tenant, HttpRequest request, ClaimsPrincipal user, TenantQuotaStore quotas, AuditLog audit, CancellationToken cancellationToken)
    {
        if (Refuse(tenant, Caller.Of(user), operatorOnly: true) is { } refused)
        {
            return refused;
        }
        var body = await JsonBody.ReadAsync<QuotaRequest>(request, MaxRequestBytes, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var errors = body.Value!.Check();
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The quotas are not valid");
        }
        var overrides = body.Value.ToOverrides();
        await quotas.SetOverridesAsync(tenant, overrides);
        await audit.RecordAsync(user, "quotas.set", tenant, tenant, overrides);
        return TypedResults.Ok(QuotaView.Of(tenant, overrides, quotas.Defaults));
    }

    private static IResult? Refuse(string tenant, Caller caller, bool operatorOnly)
    {
        if (EventRules.CheckTenant(tenant) is { } invalid)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tenant"] = [invalid] });
        }
        if (!caller.Sees(tenant))
        {
            return caller.WrongTenant(tenant);
        }
        return operatorOnly && caller.Tenant is not null
            ? TypedResults.Problem($"Quotas are set by an operator (an admin key bound to no tenant); this key is bound to '{caller.Tenant}'.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden")
            : null;
    }
}
