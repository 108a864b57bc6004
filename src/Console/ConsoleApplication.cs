using System.Reflection;
using Microsoft.Extensions.Options;
using Webhooks.Console.Components;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Webhooks.Console.Ingest;
using Webhooks.Console.Operator;
using Webhooks.Console.Portal;
using Webhooks.Console.Security;

namespace Webhooks.Console;

public static class ConsoleApplication
{
    public static IHostApplicationBuilder AddConsole(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations()
            .Validate(o => SecurityHeaders.AreOrigins(o.FrameAncestors), "Webhooks:Console:FrameAncestors are origins such as https://app.example.com.")
            .Validate(o => o.Brand.LogoUrl is null || o.Brand.LogoUrl.Scheme is "https" || !o.Brand.LogoUrl.IsAbsoluteUri, "Webhooks:Console:Brand:LogoUrl is an https address.")
            // Data annotations do not reach into Brand: its colour becomes a stylesheet, so it is checked here.
            .Validate(o => BrandOptions.IsColor(o.Brand.AccentColor), "Webhooks:Console:Brand:AccentColor is a colour as #rrggbb.")
            .Validate(o => o.Brand.Name is { Length: > 0 and <= 80 }, "Webhooks:Console:Brand:Name is 1 to 80 characters.")
            .ValidateOnStart();
        var options = builder.Configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        // Outside a local run the console is served over HTTPS (a TLS proxy in front): its cookies never travel in clear.
        var secure = options.CookieSameSite == SameSiteMode.None || !(builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing"))
            ? CookieSecurePolicy.Always
            : CookieSecurePolicy.SameAsRequest;
        IngestClient.Register(builder.Services, sp => sp.GetRequiredService<IOptions<ConsoleOptions>>().Value.IngestUrl!);
        var authentication = builder.Services.AddAuthentication(PortalUser.Scheme);
        PortalUser.AddScheme(authentication, options, secure);
        OperatorSessions.AddScheme(authentication, secure);
        builder.Services.AddSingleton<OperatorSessions>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TraceLinks>();
        builder.Services.AddAuthorization();
        builder.Services.AddAntiforgery(a =>
        {
            a.Cookie.Name = "webhooks_antiforgery";
            a.Cookie.SameSite = options.CookieSameSite;
            a.Cookie.SecurePolicy = secure;
        });
        builder.Services.AddRazorComponents();
        builder.Services.AddHealthChecks();
        return builder;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapHealthChecks("/healthz");
        app.MapAssets();
        app.MapPortalSignIn();
        app.MapOperatorSignOut();
        app.MapRazorComponents<App>();
        return app;
    }

    /// <summary>The stylesheet, from the assembly (no static files to deploy), and the brand's accent as a stylesheet of its own (no inline style).</summary>
    private static void MapAssets(this WebApplication app)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("console.css")!;
        var css = new StreamReader(stream).ReadToEnd();
        app.MapGet("/assets/console.css", () => Results.Text(css, "text/css"));
        app.MapGet("/assets/brand.css", (IOptions<ConsoleOptions> options) => Results.Text($":root {{ --accent: {options.Value.Brand.AccentColor}; }}", "text/css"));
    }
}
