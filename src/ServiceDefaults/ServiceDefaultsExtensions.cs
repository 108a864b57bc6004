using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Webhooks.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>Telemetry and health checks for a Webhooks host; <paramref name="sourceName"/> is its own ActivitySource and Meter.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string sourceName)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(sourceName, "MassTransit", RedisOperations.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(sourceName, "MassTransit")
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsHealthOrMetrics(context.Request.Path))
                    // A subscriber URL's path and query often carry its credentials: spans show scheme, host and port.
                    .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = (activity, request) =>
                    {
                        if (request.RequestUri is { } uri)
                        {
                            activity.SetTag("url.full", RedactedUrl.Of(uri));
                        }
                    }))
                .UseOtlpExporter();
            // Log records carry their formatted message beside the template and its fields, and their scopes.
            builder.Logging.AddOpenTelemetry(logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
        }
        else
        {
            // Nowhere to send spans: record none, but keep the trace context flowing (attempts keep their
            // trace id, subscribers get a traceparent, logs their trace and span ids).
            TraceContextPropagation.Start();
        }

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"])
            .AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return builder;
    }

    /// <summary><c>/healthz</c> (the process runs), <c>/readyz</c> (RabbitMQ and Redis reachable) and <c>/metrics</c>, in every environment.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        if (app.Services.GetService<StackExchange.Redis.IConnectionMultiplexer>() is { } redis)
        {
            var counted = RedisOperations.Observe(redis);
            app.Lifetime.ApplicationStopped.Register(counted.Dispose);
        }
        return app;
    }

    private static bool IsHealthOrMetrics(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics");
}
