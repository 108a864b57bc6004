using Webhooks.Cli.Listen;

return args switch
{
    ["listen", .. var rest] => await ListenCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: webhooks listen [--port 9000] [--bind 127.0.0.1] [--secret whsec_…] [--status 200] [--log FILE]
                               [--register INGEST_URL --api-key KEY [--tenant demo] [--event-types "*"] [--url URL]]

          listen   receive webhooks on 127.0.0.1, verify their signatures and print them;
                   with --register, first subscribe itself as an endpoint (at --url, by default
                   http://127.0.0.1:PORT/webhooks) and verify with that endpoint's secret
        """);
    return 2;
}
