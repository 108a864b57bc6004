namespace Webhooks.Cli.Api;

/// <summary>Why a command stopped, said in one line, with the exit code it ends with (see <see cref="ExitCodes"/>).</summary>
public sealed class CliFailure(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>What <c>webhooks</c> exits with; docs/cli.md lists them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The API refused the request (4xx: not found, not valid, forbidden, a bad key).</summary>
    public const int Refused = 1;

    /// <summary>The command line is not valid.</summary>
    public const int Usage = 2;

    /// <summary>Ingest could not be reached, or failed (5xx), or what answered is not Ingest; <c>listen</c>: its port is taken.</summary>
    public const int Unavailable = 3;

    /// <summary>A destructive command was not confirmed.</summary>
    public const int NotConfirmed = 4;

    /// <summary>Stopped by Ctrl-C.</summary>
    public const int Interrupted = 130;
}
