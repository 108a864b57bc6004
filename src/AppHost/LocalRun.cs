using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Webhooks.AppHost;

/// <summary>
/// One local run: a fresh data folder under <c>.run/aspire</c>, fresh keys (the admin API key is
/// written next to it for scripts), fixed loopback ports, and whether a Docker engine runs. With
/// <c>WEBHOOKS_KEEP_DATA=1</c> (<c>./scripts/run.sh --keep-data</c>) the folder and its keys are kept
/// from the run before: the broker's queues, Redis's data and the endpoints' secrets survive a restart.
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
        var keep = Environment.GetEnvironmentVariable("WEBHOOKS_KEEP_DATA") == "1";
        var (adminKeyFile, secretsKeyFile) = (Path.Combine(directory, "admin-key"), Path.Combine(directory, "secrets-key"));
        if (!(keep && File.Exists(adminKeyFile) && File.Exists(secretsKeyFile)) && System.IO.Directory.Exists(directory))
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        System.IO.Directory.CreateDirectory(directory);
        var run = new LocalRun
        {
            Root = root,
            Directory = directory,
            AdminKey = File.Exists(adminKeyFile) ? File.ReadAllText(adminKeyFile).Trim() : "whk_admin_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
            // Kept with the data: the endpoints' secrets in Redis are encrypted with it.
            SecretsKey = File.Exists(secretsKeyFile) ? File.ReadAllText(secretsKeyFile).Trim() : "local:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            DockerRuns = DockerEngineRuns(),
        };
        WritePrivately(adminKeyFile, run.AdminKey);
        WritePrivately(secretsKeyFile, run.SecretsKey);
        // The receiver's log is of this run only.
        File.Delete(run.ReceiverLog);
        return run;
    }

    private static void WritePrivately(string path, string text)
    {
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>The <c>Webhooks__*</c> settings of the environment the run was started in: every service of the run gets them (docs/configuration.md).</summary>
    public static IEnumerable<(string Name, string Value)> PassedThrough() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => ((string)e.Key, e.Value as string ?? ""))
            .Where(e => e.Item1.StartsWith("Webhooks__", StringComparison.Ordinal))
            .OrderBy(e => e.Item1, StringComparer.Ordinal);

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
