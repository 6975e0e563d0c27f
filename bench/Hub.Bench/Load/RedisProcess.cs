using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// A <c>redis-server</c> the bench starts for a run, on 127.0.0.1 and a free port, without persistence:
/// <c>timeout &lt;lifetime&gt; redis-server ...</c>, so it ends by itself should the bench die.
/// </summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RedisProcess(Process process, int port)
    {
        _process = process;
        ConnectionString = FormattableString.Invariant($"127.0.0.1:{port}");
    }

    /// <summary>The connection string to hand to the hub.</summary>
    public string ConnectionString { get; }

    /// <summary>The version <c>redis-server --version</c> prints.</summary>
    public static async Task<string> VersionAsync(CancellationToken cancellationToken)
    {
        using var version = Process.Start(new ProcessStartInfo("redis-server", "--version") { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("Could not run redis-server --version.");
        var text = await version.StandardOutput.ReadToEndAsync(cancellationToken);
        await version.WaitForExitAsync(cancellationToken);
        return text.Split(' ').FirstOrDefault(part => part.StartsWith("v=", StringComparison.Ordinal))?[2..] ?? text.Trim();
    }

    /// <summary>Starts redis-server, a replica of <paramref name="replicaOf"/> when given, and waits until it answers PING.</summary>
    public static async Task<RedisProcess> StartAsync(TimeSpan lifetime, CancellationToken cancellationToken, RedisProcess? replicaOf = null)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("timeout")
        {
            ArgumentList =
            {
                "--kill-after=5s", FormattableString.Invariant($"{(int)lifetime.TotalSeconds}s"),
                "redis-server", "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--maxclients", "10000",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // A new replica gets its first copy at once, not after Redis's default five-second wait.
        start.ArgumentList.Add("--repl-diskless-sync-delay");
        start.ArgumentList.Add("0");
        if (replicaOf is not null)
        {
            start.ArgumentList.Add("--replicaof");
            start.ArgumentList.Add("127.0.0.1");
            start.ArgumentList.Add(replicaOf.Port.ToString(CultureInfo.InvariantCulture));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server (is it installed?).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var redis = new RedisProcess(process, port);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (await redis.PingAsync(cancellationToken))
            {
                return redis;
            }

            await Task.Delay(100, cancellationToken);
        }

        await redis.DisposeAsync();
        throw new InvalidOperationException("redis-server did not answer PING within 20 s.");
    }

    /// <summary>Waits until <paramref name="count"/> replicas are in sync with this server.</summary>
    public async Task WaitForReplicasAsync(int count, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var info = await CommandAsync("INFO replication", cancellationToken);
            if (info.Split('\n').Count(line => line.StartsWith("slave", StringComparison.Ordinal) && line.Contains("state=online", StringComparison.Ordinal)) >= count)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException($"{count} replica(s) were not in sync with redis-server within 30 s.");
    }

    /// <summary>Stops redis-server (SIGTERM through <c>timeout</c>, then a kill).</summary>
    public async ValueTask DisposeAsync() => await Native.StopAsync(_process, TimeSpan.FromSeconds(10));

    private int Port => int.Parse(ConnectionString.Split(':')[1], CultureInfo.InvariantCulture);

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await CommandAsync("PING", cancellationToken)).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Sends one inline command and returns the reply as text (a bulk reply read to its announced length).</summary>
    private async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command + "\r\n"), cancellationToken);
        var reply = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return reply.ToString();
            }

            reply.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
            var text = reply.ToString();
            var header = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (header > 0 && (text[0] != '$' || text.Length >= header + 2 + int.Parse(text[1..header], CultureInfo.InvariantCulture)))
            {
                return text;
            }
        }
    }
}
