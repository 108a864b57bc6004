using System.Security.Claims;
using Webhooks.Core.Quotas;
using Webhooks.Ingest.Auth;

namespace Webhooks.Ingest.Quotas;

/// <summary>
/// <c>GET /v1/tenants/over-quota</c>: the tenants refused for a quota in the last 15 minutes, latest first, with
/// the quota and their quotas now — an operator's view (every Ingest replica notes its refusals in one list).
/// </summary>
public static class OverQuotaApi
{
    public static IEndpointRouteBuilder MapOverQuotaApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/tenants/over-quota", async (ClaimsPrincipal user, TenantQuotaStore quotas) =>
        {
            if (Caller.Of(user).NotAnOperator("The list of tenants over quota") is { } refused)
            {
                return refused;
            }
            var over = await quotas.RecentlyOverAsync();
            var limits = await Task.WhenAll(over.Select(o => o.Tenant).Distinct().Select(async tenant => (tenant, await quotas.ForTenantAsync(tenant))));
            var byTenant = limits.ToDictionary(l => l.tenant, l => l.Item2);
            return TypedResults.Ok(new OverQuotaList([.. over.Select(o => new OverQuotaView(o.Tenant, o.Quota, o.At, byTenant[o.Tenant]))]));
        }).WithTags("Quotas").RequireAuthorization(AuthRegistration.Admin);
        return routes;
    }
}

/// <summary>A tenant last refused at <see cref="LastRefusedAt"/> for its <see cref="Quota"/> quota (<c>events</c> or <c>bytes</c>), and its quotas now.</summary>
public sealed record OverQuotaView(string Tenant, string Quota, DateTimeOffset LastRefusedAt, TenantQuotas Quotas);

public sealed record OverQuotaList(IReadOnlyList<OverQuotaView> Data);
