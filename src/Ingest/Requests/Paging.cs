using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Webhooks.Core.Storage;

namespace Webhooks.Ingest.Requests;

/// <summary>
/// The paging every list takes: <c>limit</c> up to <see cref="MaxLimit"/>, and <c>after</c>, the
/// <c>nextAfter</c> of the page before (a cursor, opaque to clients): a page is found from its cursor
/// in bounded work, however deep it is.
/// </summary>
internal static class Paging
{
    public const int MaxLimit = 200;
    public const int DefaultLimit = 50;

    /// <summary>The problem with the request's paging, or null when it is fine (an <c>offset</c>, from before cursors, is refused rather than ignored).</summary>
    public static IResult? Problem(HttpRequest request, int? limit) =>
        limit is < 1 or > MaxLimit
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit must be between 1 and {MaxLimit}."] })
            : request.Query.ContainsKey("offset")
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["offset"] = ["Lists are paged with after (the nextAfter of the page before), not offset."] })
                : null;

    /// <summary>A cursor that carries <paramref name="parts"/>.</summary>
    public static string Cursor(params string[] parts) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Join('\n', parts)));

    /// <summary>The parts of a cursor this API gave (null when <paramref name="after"/> is none), or the problem when it is not one.</summary>
    public static (string[]? Parts, IResult? Problem) Read(string? after, int parts)
    {
        if (after is null)
        {
            return (null, null);
        }
        var read = after.Length <= 1000 && Base64Url.IsValid(after) ? Encoding.UTF8.GetString(Base64Url.DecodeFromChars(after)).Split('\n') : [];
        return read.Length == parts && read.All(p => p.Length > 0)
            ? (read, null)
            : (null, NotACursor);
    }

    /// <summary>A place in a time index, from the <c>after</c> the client passed (null when none), or the problem when it is not one.</summary>
    public static (IndexPosition? Position, IResult? Problem) ReadPosition(string? after)
    {
        var (parts, problem) = Read(after, 2);
        if (parts is null)
        {
            return (null, problem);
        }
        // Only a finite time: NaN or Infinity (each parses) is no place in an index, and Redis refuses it.
        return double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && double.IsFinite(score)
            ? (new IndexPosition(score, parts[1]), null) : (null, NotACursor);
    }

    /// <summary>The cursor of a place in a time index (null for none: the end).</summary>
    public static string? Cursor(IndexPosition? position) =>
        position is null ? null : Cursor(position.Score.ToString("R", CultureInfo.InvariantCulture), position.Id);

    public static IResult NotACursor => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["after must be the nextAfter of an earlier page."] });
}
