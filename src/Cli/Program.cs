using System.CommandLine;
using Webhooks.Cli;
using Webhooks.Cli.Api;
using Webhooks.Cli.DeadLetters;
using Webhooks.Cli.Endpoints;
using Webhooks.Cli.Events;
using Webhooks.Cli.Keys;
using Webhooks.Cli.Listen;

var listen = new Command("listen", """
    receive webhooks on 127.0.0.1, verify their signatures and print them. Options: [--port 9000] [--bind 127.0.0.1]
    [--secret whsec_…] [--status 200] [--log FILE] [--fetch] [--register INGEST_URL --api-key KEY [--tenant demo] [--event-types "*"] [--url URL] [--payload thin]];
    with --register it first subscribes itself as an endpoint and verifies with that endpoint's secret;
    with --fetch it also fetches a thin webhook's data through its signed link (links.data) and prints it
    """)
{
    TreatUnmatchedTokensAsErrors = false,
};
listen.SetAction((parsed, _) => ListenCommand.RunAsync([.. parsed.UnmatchedTokens]));

var root = new RootCommand("webhooks: the Webhooks platform from the command line (docs/cli.md)")
    .With(CommandLine.Url, CommandLine.Key, CommandLine.Json, EndpointsCommand.Create(), EventsCommand.Create(), EventsCommand.Resend(), EventsCommand.Recover(), EventsCommand.Replay(), TailCommand.Create(), DlqCommand.Create(), KeysCommand.Create(), AuditCommand.Create(), listen);

var parsedArgs = root.Parse(args);
if (parsedArgs.Errors.Count > 0)
{
    foreach (var error in parsedArgs.Errors)
    {
        Console.Error.WriteLine($"webhooks: {error.Message}");
    }
    Console.Error.WriteLine("webhooks --help lists the commands; webhooks COMMAND --help, their options.");
    return ExitCodes.Usage;
}
return await parsedArgs.InvokeAsync();
