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

    /// <summary>Starts redis-server and waits until it answers PING.</summary>
    public static async Task<RedisProcess> StartAsync(TimeSpan lifetime, CancellationToken cancellationToken)
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

    /// <summary>Stops redis-server (SIGTERM through <c>timeout</c>, then a kill).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Native.Signal(_process.Id, Native.SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, int.Parse(ConnectionString.Split(':')[1], CultureInfo.InvariantCulture), cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return read >= 5 && buffer.AsSpan(0, 5).SequenceEqual("+PONG"u8);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
