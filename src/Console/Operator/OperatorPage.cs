using Microsoft.AspNetCore.Components;
using Webhooks.Console.Components;

namespace Webhooks.Console.Operator;

/// <summary>A page of the SRE console: Ingest's API called with the signed-in SRE's operator key, which stays on this server.</summary>
public abstract class OperatorPage : ConsolePage
{
    [Inject] public OperatorSessions Sessions { get; set; } = default!;

    protected override string? Credential => Sessions.KeyOf(HttpContext.User);

    protected override async Task OnCredentialRefusedAsync()
    {
        await Sessions.SignOutAsync(HttpContext);
        Navigation.NavigateTo("sre/sign-in?ended=true");
    }
}
