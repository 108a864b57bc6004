namespace Webhooks.Ingest.Requests;

/// <summary>The paging every list takes: an offset from 0 and a limit up to <see cref="MaxLimit"/>.</summary>
internal static class Paging
{
    public const int MaxLimit = 200;
    public const int DefaultLimit = 50;

    /// <summary>The problem with the paging arguments, or null when they are fine.</summary>
    public static IResult? Problem(int? offset, int? limit) =>
        offset < 0 || limit is < 1 or > MaxLimit
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"offset must be 0 or more and limit between 1 and {MaxLimit}."] })
            : null;
}
