using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components;
using Webhooks.Console.Components;

namespace Webhooks.Console.Portal;

/// <summary>
/// A page of the tenant portal: Ingest's API called with the session's key, so that Ingest decides what the
/// session may see and do (its tenant, its endpoints, read-only); a session Ingest no longer knows is signed out.
/// </summary>
public abstract class PortalPage : ConsolePage
{
    protected PortalUser Me => PortalUser.Of(HttpContext.User)!;

    protected override string? Credential => Me.Key;

    protected override async Task OnCredentialRefusedAsync()
    {
        await HttpContext.SignOutAsync(PortalUser.Scheme);
        Navigation.NavigateTo("portal/signed-out?ended=true");
    }
}
