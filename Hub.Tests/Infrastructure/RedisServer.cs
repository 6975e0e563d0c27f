using System.Diagnostics;
using System.Globalization;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> (or <c>redis-sentinel</c>) on a free loopback port, started by the test
/// run (the test command's set-up installs both). It can be killed and started again on the same port
/// to simulate an outage, and it ends by itself after an hour even if the test host dies. A durable
/// server writes every command to its append-only file before answering (as a production history store
/// should), so what it acknowledged survives a kill; otherwise it keeps everything in memory only.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly string[] ReplicateAtOnce = ["--repl-diskless-sync-delay", "0"];

    private readonly string _executable;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string? _dataDirectory;
    private Process? _process;

    private RedisServer(int port, string executable, IReadOnlyList<string> arguments, string? dataDirectory)
    {
        Port = port;
        _executable = executable;
        _arguments = arguments;
        _dataDirectory = dataDirectory;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a stand-alone server, in memory only or <paramref name="durable"/>.</summary>
    public static Task<RedisServer> StartAsync(bool durable = false) =>
        durable ? StartInDirectoryAsync(["--appendonly", "yes", "--appendfsync", "always"]) : StartAsync([]);

    /// <summary>
    /// Starts a server in memory only with <paramref name="arguments"/> added (say <c>--replicaof</c>). A
    /// replica is served its first copy at once rather than after Redis's default five-second wait.
    /// </summary>
    public static async Task<RedisServer> StartAsync(IReadOnlyList<string> arguments)
    {
        var server = new RedisServer(FreePort.Next(), "redis-server", ["--appendonly", "no", .. ReplicateAtOnce, .. arguments], dataDirectory: null);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts a server with a data directory of its own (for its append-only file or cluster state) and <paramref name="arguments"/> added.</summary>
    public static async Task<RedisServer> StartInDirectoryAsync(IReadOnlyList<string> arguments)
    {
        var directory = Directory.CreateTempSubdirectory("redis-").FullName;
        var server = new RedisServer(FreePort.Next(), "redis-server", ["--dir", directory, .. ReplicateAtOnce, .. arguments], directory);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts a <c>redis-sentinel</c> whose configuration file holds <paramref name="configuration"/> lines.</summary>
    public static async Task<RedisServer> StartSentinelAsync(IEnumerable<string> configuration)
    {
        var directory = Directory.CreateTempSubdirectory("sentinel-").FullName;
        var file = Path.Combine(directory, "sentinel.conf");
        await File.WriteAllLinesAsync(file, configuration);
        var server = new RedisServer(FreePort.Next(), "redis-sentinel", [file, "--dir", directory], directory);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Runs <c>redis-cli</c> against this server; returns its standard output, or throws with its error when it fails.</summary>
    public Task<string> CliAsync(params string[] arguments) => RedisCli.RunAsync(["-p", Port.ToString(CultureInfo.InvariantCulture), .. arguments]);

    /// <summary>How many replicas are connected to this server and in sync with it.</summary>
    public async Task<int> OnlineReplicasAsync() =>
        (await CliAsync("info", "replication")).Split('\n').Count(line => line.StartsWith("slave", StringComparison.Ordinal) && line.Contains("state=online", StringComparison.Ordinal));

    /// <summary>Starts the server (again) on its port and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("timeout")
        {
            ArgumentList =
            {
                "3600", _executable,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[
            .. _arguments, "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--daemonize", "no"])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{_executable} did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                if ((await CliAsync("ping")).Trim() == "PONG")
                {
                    return;
                }
            }
            catch (InvalidOperationException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"{_executable} on port {Port} did not answer PING.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server (SIGKILL), as a crash would.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_dataDirectory is not null)
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
