using System.Text.RegularExpressions;

namespace Webhooks.Cli.Api;

/// <summary>Text as the CLI may print it: no password or user name of a URL (<c>http://ops:hunter2@…</c> → <c>http://***@…</c>).</summary>
public static partial class Redacted
{
    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/@\s]*@")]
    private static partial Regex UserInfo();

    public static string Text(string text) => UserInfo().Replace(text, "${scheme}***@");
}
