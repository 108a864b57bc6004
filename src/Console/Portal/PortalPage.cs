using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Webhooks.Console.Ingest;

namespace Webhooks.Console.Portal;

/// <summary>
/// A page of the tenant portal: Ingest's API called with the session's key, so that Ingest decides what the
/// session may see and do (its tenant, its endpoints, read-only); a session Ingest no longer knows is signed out.
/// </summary>
public abstract class PortalPage : ComponentBase
{
    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;
    [Inject] public IngestClient Ingest { get; set; } = default!;
    [Inject] public NavigationManager Navigation { get; set; } = default!;

    /// <summary>What a redirect after a change says it did (<c>?done=…</c>).</summary>
    [SupplyParameterFromQuery(Name = "done")] public string? Done { get; set; }

    protected PortalUser Me => PortalUser.Of(HttpContext.User)!;

    protected string? Error { get; set; }

    protected string? Form(string name) => HttpContext.Request.HasFormContentType ? HttpContext.Request.Form[name].ToString() is { Length: > 0 } value ? value : null : null;

    protected async Task<ApiAnswer> ApiAsync(HttpMethod method, string path, object? body = null)
    {
        var answer = await Ingest.SendAsync(method, Me.Key, path, body, HttpContext.RequestAborted);
        if (answer.Unauthorized)
        {
            await HttpContext.SignOutAsync(PortalUser.Scheme);
            Navigation.NavigateTo("portal/signed-out?ended=true");
        }
        return answer;
    }

    protected Task<ApiAnswer> GetAsync(string path) => ApiAsync(HttpMethod.Get, path);

    /// <summary>Makes a change; on success goes back to <paramref name="then"/> saying <paramref name="done"/>, otherwise shows why not.</summary>
    protected async Task ChangeAsync(HttpMethod method, string path, object? body, string then, string done)
    {
        var answer = await ApiAsync(method, path, body);
        if (answer.Ok)
        {
            Navigation.NavigateTo($"{then}{(then.Contains('?') ? '&' : '?')}done={Uri.EscapeDataString(done)}");
            return;
        }
        Error = answer.Message;
    }
}
