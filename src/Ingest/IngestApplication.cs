using Webhooks.Contracts;
using Webhooks.Core;
using Webhooks.Core.Destinations;
using Webhooks.Core.Storage;
using Webhooks.Ingest.Audit;
using Webhooks.Ingest.Auth;
using Webhooks.Ingest.Availability;
using Webhooks.Ingest.DeadLetters;
using Webhooks.Ingest.Deliveries;
using Webhooks.Ingest.Endpoints;
using Webhooks.Ingest.Events;
using Webhooks.Ingest.EventTypes;
using Webhooks.Ingest.Jobs;
using Webhooks.Ingest.Portal;
using Webhooks.Ingest.QueueDepths;
using Webhooks.Ingest.Quotas;
using Webhooks.Messaging;
using Webhooks.ServiceDefaults;

namespace Webhooks.Ingest;

public static class IngestApplication
{
    public static IHostApplicationBuilder AddIngest(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDefaults(IngestTelemetry.SourceName);
        builder.AddWebhooksState();
        builder.AddBrokerTopology();
        builder.AddWebhooksBus(endpoints: (_, bus) => bus.SendAsPlainJson<EventPublished>());
        builder.AddDestinationGuard();
        builder.AddApiKeyAuth();
        builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PortalOptions>().BindConfiguration(PortalOptions.Section);
        builder.Services.AddOptions<Core.Events.DataLinkOptions>().BindConfiguration(Core.Events.DataLinkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<Core.Events.DataLinkLimits>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DependencyUnavailableHandler>();
        builder.Services.AddOpenApi();
        builder.Services.AddSingleton<EventPublisher>();
        builder.Services.AddSingleton<IdempotencyKeys>();
        builder.Services.AddSingleton<DeliveryRequeue>();
        builder.Services.AddSingleton<BulkDeliveries>();
        builder.Services.AddSingleton<DeadLetterScope>();
        builder.Services.AddSingleton<JobStore>();
        builder.Services.AddSingleton<JobRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobRunner>());
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddHostedService<SecretReEncryption>();
        return builder;
    }

    public static WebApplication MapIngest(this WebApplication app)
    {
        // Outermost, so that it sees every answer as written: a 503 from the exception handler, a 401 from authentication.
        app.Use(async (context, next) =>
        {
            await next(context);
            // Publish requests refused, by reason.
            if (context.Request.Method == HttpMethods.Post && context.Request.Path.StartsWithSegments("/v1/events") && !context.Request.Path.Value!.Contains("/endpoints/", StringComparison.Ordinal)
                && IngestTelemetry.RefusalReason(context.Response.StatusCode) is { } byStatus)
            {
                // Items only for a refusal: reading them makes their dictionary, on every request otherwise.
                var reason = context.Items.TryGetValue(IngestTelemetry.RefusalItem, out var named) && named is string given ? given : byStatus;
                IngestTelemetry.Refused.Add(1, IngestTelemetry.Tag("reason", reason));
            }
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Once the metrics pipeline listens: counters then show 0 rather than nothing.
        app.Lifetime.ApplicationStarted.Register(IngestTelemetry.StartAtZero);
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapOpenApi();
        app.MapEventsApi();
        app.MapEventShowApi();
        app.MapEventDataApi();
        app.MapEventListApi();
        app.MapResendApi();
        app.MapRecoverReplayApi();
        app.MapTestEventApi();
        app.MapAuditApi();
        app.MapJobsApi();
        app.MapEndpointsApi();
        app.MapFailingEndpointsApi();
        app.MapEventTypesApi();
        app.MapDeadLettersApi();
        app.MapApiKeysApi();
        app.MapWhoAmIApi();
        app.MapQuotasApi();
        app.MapOverQuotaApi();
        app.MapPortalSessionsApi();
        app.MapQueuesApi();
        return app;
    }
}
