using System.Diagnostics;

namespace RealtimeHub.Bench;

/// <summary>
/// One measurement: start the hub, warm it up, take a baseline, open the streams, let them idle, measure
/// again, close everything. The server's process is stopped whatever happens.
/// </summary>
internal static class BenchRun
{
    private const int SpareFileDescriptors = 1024;

    public static async Task<BenchResult> RunAsync(BenchOptions options, string arguments, CancellationToken cancellationToken)
    {
        var repo = options.RepoRoot();
        var machine = await MachineInfo.ReadAsync(cancellationToken);
        var source = await HubServer.DescribeSourceAsync(repo, cancellationToken);
        var (soft, hard) = Native.RaiseOpenFileLimit((ulong)(options.Connections + options.Warmup + SpareFileDescriptors));
        Progress($"open-file limit {soft} (hard {hard}), inherited by the server");
        var needed = (ulong)(options.Connections + options.Warmup + SpareFileDescriptors);
        if (soft < needed)
        {
            // Past the limit sockets fail in ways that say nothing about the server (and can take the bench down).
            throw new InvalidOperationException(
                $"{options.Connections} streams need about {needed} open files in the bench and in the server, but the hard limit is {hard}. " +
                $"Raise it (ulimit -Hn, or the container's nofile limit) or ask for at most {soft - (ulong)(options.Warmup + SpareFileDescriptors)} streams.");
        }

        if (options.Build)
        {
            Progress("building Hub.Server in Release");
            await HubServer.BuildAsync(repo, cancellationToken);
        }

        using var probe = options.GcProbe ? new GcProbe() : null;
        Progress($"starting the hub ({(options.Redis is null ? "embedded, no Redis" : "Redis " + options.Redis)})");
        await using var server = await HubServer.StartAsync(
            repo, options.Redis, options.Timeout + TimeSpan.FromSeconds(60), probe?.Environment ?? new Dictionary<string, string>(), cancellationToken);
        Progress($"hub pid {server.Pid} on {server.BaseAddress}");
        using var client = LoopbackClient.Create(LoopbackClient.SourceAddresses(options.Sources), options.ConnectTimeout);

        await using (var warmup = new SseSwarm(client, server.BaseAddress, options))
        {
            await warmup.OpenAsync(0, options.Warmup, null, cancellationToken);
            Progress($"warm-up: {warmup.Opened} of {options.Warmup} streams opened and closed");
        }

        await SettleAsync(options, cancellationToken);
        var before = await ServerSnapshot.TakeAsync(server, probe, cancellationToken);
        Progress($"baseline RSS {before.Rss / 1024 / 1024} MiB");

        await using var swarm = new SseSwarm(client, server.BaseAddress, options);
        var ramp = Stopwatch.StartNew();
        var step = Math.Max(options.Connections / 10, 1);
        await swarm.OpenAsync(0, options.Connections, done =>
        {
            if (done % step == 0)
            {
                Progress($"{done} of {options.Connections} attempted, RSS {server.ReadRss() / 1024 / 1024} MiB");
            }
        }, cancellationToken);
        ramp.Stop();
        Progress($"{swarm.Opened} streams open in {ramp.Elapsed.TotalSeconds:0.0} s, {swarm.Errors.Values.Sum()} failed");

        await SettleAsync(options, cancellationToken);
        var after = await ServerSnapshot.TakeAsync(server, probe, cancellationToken);
        var closedByServer = swarm.ClosedByServer;
        var events = swarm.Events;
        await swarm.DisposeAsync();
        Progress("streams closed; looking for what they left behind");
        await SettleAsync(options, cancellationToken);
        var closed = await ServerSnapshot.TakeAsync(server, probe, cancellationToken);
        var connectMs = swarm.ConnectMs.Order().ToList();
        return new BenchResult
        {
            Machine = machine,
            Arguments = arguments,
            Source = source,
            Route = options.RouteTemplate.Replace("{id}", "<i % P>", StringComparison.Ordinal),
            Connections = options.Connections,
            Topics = options.Topics,
            Sources = options.Sources,
            SettleSeconds = options.Settle.TotalSeconds,
            Redis = options.Redis is not null,
            OpenFileLimit = soft,
            OpenFileHardLimit = hard,
            Opened = swarm.Opened,
            Failed = swarm.Errors.Values.Sum(),
            Errors = swarm.Errors.ToDictionary(),
            ClosedByServer = closedByServer,
            EventsReceived = events,
            RampSeconds = ramp.Elapsed.TotalSeconds,
            ConnectP50Ms = BenchResult.Percentile(connectMs, 0.50),
            ConnectP99Ms = BenchResult.Percentile(connectMs, 0.99),
            ConnectMaxMs = connectMs.Count == 0 ? 0 : connectMs[^1],
            Before = before,
            After = after,
            Closed = closed,
        };
    }

    /// <summary>A progress line on stderr, so stdout carries only the result table.</summary>
    public static void Progress(string message) =>
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private static async Task SettleAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        Progress($"settling {options.Settle.TotalSeconds:0} s");
        await Task.Delay(options.Settle, cancellationToken);
    }
}
