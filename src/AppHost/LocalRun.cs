using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Webhooks.AppHost;

/// <summary>
/// One local run: a fresh data folder under <c>.run/aspire</c>, fresh keys (the admin API key is
/// written next to it for scripts), fixed loopback ports, and whether a Docker engine runs.
/// </summary>
public sealed class LocalRun
{
    public const int AmqpPort = 5680;
    public const int ManagementPort = 15680;
    public const int RedisPort = 6390;
    /// <summary>RabbitMQ's private epmd: scripts/lib/private-rabbitmq.sh puts it at the AMQP port + 30000.</summary>
    public const int EpmdPort = AmqpPort + 30000;

    public required string Root { get; init; }
    public required string Directory { get; init; }
    public required string AdminKey { get; init; }
    public required string SecretsKey { get; init; }
    public required bool DockerRuns { get; init; }

    public string ReceiverLog => Path.Combine(Directory, "receiver.log");

    /// <summary>A script of <c>scripts/lib</c>, such as the recipes of the private servers.</summary>
    public string Script(string name) => Path.Combine(Root, "scripts", "lib", name);

    public static LocalRun Prepare()
    {
        var root = RepositoryRoot();
        var directory = Path.Combine(root, ".run", "aspire");
        if (System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory);
        var run = new LocalRun
        {
            Root = root,
            Directory = directory,
            AdminKey = "whk_admin_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
            SecretsKey = "local:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            DockerRuns = DockerEngineRuns(),
        };
        File.WriteAllText(Path.Combine(directory, "admin-key"), run.AdminKey);
        return run;
    }

    /// <summary>RabbitMQ's private epmd outlives the broker: stop it with the run.</summary>
    public void Cleanup()
    {
        if (!DockerRuns)
        {
            try
            {
                using var epmd = Process.Start(new ProcessStartInfo("epmd", ["-port", EpmdPort.ToString(), "-kill"]) { RedirectStandardOutput = true, RedirectStandardError = true });
                epmd?.WaitForExit(5000);
            }
            catch (System.ComponentModel.Win32Exception)
            {
            }
        }
    }

    private static bool DockerEngineRuns()
    {
        const string socket = "/var/run/docker.sock";
        if (!File.Exists(socket))
        {
            return false;
        }
        try
        {
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            client.Connect(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Webhooks.sln")))
            {
                return dir.FullName;
            }
        }
        return System.IO.Directory.GetCurrentDirectory();
    }
}
