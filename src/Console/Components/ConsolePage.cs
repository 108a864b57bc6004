using Microsoft.AspNetCore.Components;
using Webhooks.Console.Ingest;

namespace Webhooks.Console.Components;

/// <summary>A page of the console: Ingest's API with the visitor's credential, changes that redirect saying what they did, refusals shown.</summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;
    [Inject] public IngestClient Ingest { get; set; } = default!;
    [Inject] public NavigationManager Navigation { get; set; } = default!;

    /// <summary>What a redirect after a change says it did (<c>?done=…</c>).</summary>
    [SupplyParameterFromQuery(Name = "done")] public string? Done { get; set; }

    /// <summary>The credential Ingest is called with.</summary>
    protected abstract string? Credential { get; }

    /// <summary>What to do when Ingest answers 401: the credential expired or was ended.</summary>
    protected abstract Task OnCredentialRefusedAsync();

    protected string? Error { get; set; }

    protected string? Form(string name) => HttpContext.Request.HasFormContentType ? HttpContext.Request.Form[name].ToString() is { Length: > 0 } value ? value : null : null;

    protected async Task<ApiAnswer> ApiAsync(HttpMethod method, string path, object? body = null)
    {
        var answer = await Ingest.SendAsync(method, Credential, path, body, HttpContext.RequestAborted);
        if (answer.Unauthorized)
        {
            await OnCredentialRefusedAsync();
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
