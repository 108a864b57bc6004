using System.Globalization;
using Webhooks.Core.Quotas;

namespace Webhooks.Ingest.Quotas;

/// <summary>The answers of a request over one of its tenant's quotas (RFC 9457 problem+json).</summary>
internal static class QuotaAnswers
{
    /// <summary>Null when the events fit the tenant's quota (they are then counted); otherwise the 429 or 413 to answer.</summary>
    public static IResult? Refusal(QuotaVerdict verdict, string tenant)
    {
        switch (verdict)
        {
            case QuotaVerdict.Over over:
                IngestTelemetry.NoteOverQuota(tenant);
                return new WithRetryAfter(TypedResults.Problem(
                    $"Tenant '{tenant}' is over its {Describe(over.Quota)} quota; nothing was accepted. Retry after {Seconds(over.RetryAfter)} s, or ask an operator to raise the quota.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Quota exceeded"), Seconds(over.RetryAfter));
            case QuotaVerdict.LargerThanBurst large:
                return TypedResults.Problem(
                    $"The request holds more {Describe(large.Quota)} than tenant '{tenant}' may publish at once ({large.Burst}); split it.",
                    statusCode: StatusCodes.Status413PayloadTooLarge, title: "Larger than the quota's burst");
            default:
                return null;
        }
    }

    public static IResult TooManyEndpoints(string tenant, int quota) => TypedResults.Problem(
        $"Tenant '{tenant}' already has {quota} endpoints, its quota; delete one or ask an operator to raise the quota.",
        statusCode: StatusCodes.Status409Conflict, title: "Quota exceeded");

    private static string Describe(string quota) => quota == "bytes" ? "event bytes" : "events";

    private static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    private sealed class WithRetryAfter(IResult problem, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(httpContext);
        }
    }
}
