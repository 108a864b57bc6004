using Webhooks.Cli.Listen;

return args switch
{
    ["listen", .. var rest] => await ListenCommand.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: webhooks listen [--port 9000] [--secret whsec_…] [--status 200] [--log FILE]
                               [--register INGEST_URL --api-key KEY [--tenant demo] [--event-types "*"]]

          listen   receive webhooks on 127.0.0.1, verify their signatures and print them;
                   with --register, first subscribe itself as an endpoint and verify with its secret
        """);
    return 2;
}
