using Microsoft.Extensions.Options;

namespace Webhooks.Console.Security;

/// <summary>
/// Every answer's security headers: a Content-Security-Policy that allows no script at all (the pages need none),
/// styles from this server only and framing only by the configured origins; no referrer (a portal link's token
/// must not leak); no caching of pages that show a tenant's data.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        var ancestors = options.FrameAncestors.Count > 0 ? string.Join(' ', options.FrameAncestors) : "'none'";
        var policy = $"default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'self'; frame-ancestors {ancestors}";
        return app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = policy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (options.FrameAncestors.Count == 0)
            {
                headers.XFrameOptions = "DENY";
            }
            if (!context.Request.Path.StartsWithSegments("/assets"))
            {
                // As antiforgery sets it on pages with a form (any other value there is overridden, with a warning).
                headers.CacheControl = "no-cache, no-store";
                headers.Pragma = "no-cache";
            }
            await next(context);
        });
    }

    /// <summary>Whether each frame ancestor is an origin (<c>https://app.example.com</c>) and nothing that would widen the policy.</summary>
    public static bool AreOrigins(IEnumerable<string> ancestors) =>
        ancestors.All(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.PathAndQuery == "/" && !a.Contains(';') && !a.Contains(' ') && a.TrimEnd('/') == uri.GetLeftPart(UriPartial.Authority));
}
