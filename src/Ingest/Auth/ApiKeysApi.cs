using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Webhooks.Core.Events;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Requests;

namespace Webhooks.Ingest.Auth;

public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/v1/api-keys").WithTags("API keys").RequireAuthorization(AuthRegistration.Admin).RequireWellFormedIds();
        keys.MapPost("/", Create);
        keys.MapGet("/", List);
        keys.MapDelete("/{id}", Delete);
        return routes;
    }

    private static async Task<IResult> Create(HttpRequest request, ClaimsPrincipal user, ApiKeyStore store, AuditLog audit, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync<ApiKeyRequest>(request, 8 * 1024, cancellationToken);
        if (body.Problem is not null)
        {
            return body.Problem;
        }
        var caller = Caller.Of(user);
        var input = body.Value!;
        var tenant = caller.TenantFor(input.Tenant);
        var errors = new Dictionary<string, string[]>();
        if (input.Role is null || !ApiKeyRoles.IsValid(input.Role))
        {
            errors["role"] = ["role must be 'publisher' or 'admin'."];
        }
        if (tenant is not null && EventRules.CheckTenant(tenant) is { } tenantError)
        {
            errors["tenant"] = [tenantError];
        }
        if (input.Name?.Length > 200)
        {
            errors["name"] = ["The name is longer than 200 characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The API key is not valid");
        }
        if (!caller.Sees(tenant ?? ""))
        {
            return caller.WrongTenant(tenant ?? "(none)");
        }
        var (key, secret) = await store.CreateAsync(input.Role!, tenant, input.Name);
        await audit.RecordAsync(user, "key.created", tenant, key.Id, new { key.Role, key.Name });
        return TypedResults.Created($"/v1/api-keys/{key.Id}", ApiKeyView.Of(key, secret));
    }

    private static async Task<IResult> List(HttpRequest request, ClaimsPrincipal user, ApiKeyStore store, string? tenant, string? after, int? limit)
    {
        if (Paging.Problem(request, limit) is { } problem)
        {
            return problem;
        }
        // A tenant that is no tenant's name is a 400, not an empty page.
        var (forTenant, refused) = Caller.Of(user).ListFor(tenant);
        if (refused is not null)
        {
            return refused;
        }
        var (keys, next) = await store.ListAsync(forTenant, after, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok(new ApiKeyPage([.. keys.Select(k => ApiKeyView.Of(k))], next));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, ClaimsPrincipal user, ApiKeyStore store, AuditLog audit)
    {
        if (await store.GetAsync(id) is not { } key || !Caller.Of(user).Sees(key.Tenant ?? ""))
        {
            return TypedResults.Problem($"No API key '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        await store.DeleteAsync(key);
        await audit.RecordAsync(user, "key.revoked", key.Tenant, key.Id, new { key.Role, key.Name });
        return TypedResults.NoContent();
    }
}
