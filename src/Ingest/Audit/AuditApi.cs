using System.Security.Claims;
using Webhooks.Core.Events;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Audit;

/// <summary><c>GET /v1/audit</c>: the audit log, newest first; a tenant-bound key sees its tenant's entries only.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/audit", List).WithTags("Audit").RequireAuthorization(AuthRegistration.Admin);
        return routes;
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, AuditLog log, string? tenant, string? action, string? after, int? limit)
    {
        (tenant, var refused) = Caller.Of(user).ListFor(tenant);
        if (refused is not null)
        {
            return refused;
        }
        var (position, cursorProblem) = Paging.ReadPosition(after);
        if ((Paging.Problem(request, limit) ?? cursorProblem) is { } problem)
        {
            return problem;
        }
        var (entries, next) = await log.ListAsync(tenant, action, position, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new AuditPage(entries, Paging.Cursor(next)));
    }
}

/// <summary>A page of the audit log; <c>nextAfter</c> (null at the end) goes in <c>after</c> for the next one.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Data, string? NextAfter);
