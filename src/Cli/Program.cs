using System.CommandLine;
using Webhooks.Cli;
using Webhooks.Cli.Api;
using Webhooks.Cli.DeadLetters;
using Webhooks.Cli.Endpoints;
using Webhooks.Cli.Events;
using Webhooks.Cli.EventTypes;
using Webhooks.Cli.Jobs;
using Webhooks.Cli.Keys;
using Webhooks.Cli.Listen;
using Webhooks.Cli.Quotas;

var listen = new Command("listen", """
    receive webhooks on 127.0.0.1, verify their signatures and print them. Options: [--port 9000] [--bind 127.0.0.1]
    [--secret whsec_…] [--status 200] [--log FILE] [--fetch] [--register INGEST_URL [--api-key KEY] [--tenant demo] [--event-types "*"] [--url URL] [--payload thin]];
    with --register it first subscribes itself as an endpoint (at --url, its own address) and verifies with that endpoint's secret;
    with --fetch it also fetches a verified thin webhook's data through its signed link (links.data, on Ingest only) and prints it
    """)
{
    TreatUnmatchedTokensAsErrors = false,
};
listen.SetAction((parsed, _) => ListenCommand.RunAsync([.. parsed.UnmatchedTokens], CommandLine.IngestAddress(parsed), CommandLine.ApiKey(parsed), parsed.GetValue(CommandLine.Json)));

var root = new RootCommand("webhooks: the Webhooks platform from the command line (docs/cli.md)")
    .With(CommandLine.Ingest, CommandLine.Key, CommandLine.Json, EndpointsCommand.Create(), EventsCommand.Create(), EventsCommand.Resend(), EventsCommand.Recover(), EventsCommand.Replay(),
        TailCommand.Create(), DlqCommand.Create(), EventTypesCommand.Create(), JobsCommand.Create(), QuotasCommand.Create(), KeysCommand.Create(), AuditCommand.Create(), listen);

var parsedArgs = root.Parse(args);
if (parsedArgs.Errors.Count > 0)
{
    // One line: the first thing wrong, and where the usage is.
    var command = new List<string>();
    for (var result = parsedArgs.CommandResult; result.Command != root; result = (System.CommandLine.Parsing.CommandResult)result.Parent!)
    {
        command.Insert(0, result.Command.Name);
    }
    // A word not understood says more than the missing command it leaves behind.
    var error = parsedArgs.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsedArgs.Errors[0];
    var message = error.Message.TrimEnd('.').Replace("as expected type 'System.Int32'", "as a whole number", StringComparison.Ordinal).Replace("as expected type 'System.Double'", "as a number", StringComparison.Ordinal);
    CommandLine.Fail(ExitCodes.Usage, $"{message} ({string.Join(' ', command.Prepend("webhooks"))} --help says how to use it).");
    return ExitCodes.Usage;
}
return await parsedArgs.InvokeAsync();
