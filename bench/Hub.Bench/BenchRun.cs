using System.Diagnostics;
using RealtimeHub.Bench.Accounting;
using RealtimeHub.Bench.Load;

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
        var source = options.Source ?? await HubServer.DescribeSourceAsync(repo, cancellationToken);
        var connections = options.Connections + options.WebSockets;
        var (soft, hard) = Native.RaiseOpenFileLimit((ulong)(connections + options.Warmup + SpareFileDescriptors));
        Progress($"open-file limit {soft} (hard {hard}), inherited by the server");
        var needed = (ulong)(connections + options.Warmup + SpareFileDescriptors);
        if (soft < needed)
        {
            // Past the limit sockets fail in ways that say nothing about the server (and can take the bench down).
            throw new InvalidOperationException(
                $"{connections} connections need about {needed} open files in the bench and in the server, but the hard limit is {hard}. " +
                $"Raise it (ulimit -Hn, or the container's nofile limit) or ask for at most {soft - (ulong)(options.Warmup + SpareFileDescriptors)} streams.");
        }

        if (options.Build)
        {
            Progress("building Hub.Server in Release");
            await HubServer.BuildAsync(repo, cancellationToken);
        }

        using var probe = options.GcProbe ? new GcProbe() : null;
        await using var redis = options.StartsRedis ? await RedisProcess.StartAsync(options.Timeout + TimeSpan.FromSeconds(60), cancellationToken) : null;
        var redisConnection = redis?.ConnectionString ?? options.Redis;
        Progress($"starting the hub ({(redisConnection is null ? "embedded, no Redis" : "Redis " + redisConnection)})");
        await using var server = await HubServer.StartAsync(
            repo, redisConnection, options.Timeout + TimeSpan.FromSeconds(60), probe?.Environment ?? new Dictionary<string, string>(), cancellationToken);
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
        var webSockets = await OpenWebSocketsAsync(options, server, probe, cancellationToken);
        var closedByServer = swarm.ClosedByServer;
        var events = swarm.Events;
        if (webSockets is not null)
        {
            await webSockets.Clients.DisposeAsync();
        }

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
            WebSockets = webSockets,
            Closed = closed,
        };
    }

    /// <summary>The WebSocket phase: SignalR clients subscribed to one topic each, opened after the SSE streams were measured.</summary>
    private static async Task<WebSocketPhase?> OpenWebSocketsAsync(BenchOptions options, HubServer server, GcProbe? probe, CancellationToken cancellationToken)
    {
        if (options.WebSockets == 0)
        {
            return null;
        }

        var sources = LoopbackClient.SourceAddresses(options.Sources);
        var invoker = new HttpMessageInvoker(LoopbackClient.CreateHandler(sources, options.ConnectTimeout));
        var errors = new LoadErrors();
        var subscribers = new SubscriberFactory(
            null!, invoker, options.Protocol, options.ConnectTimeout, new LoadAccounting(options.Topics), errors, SubscriberFactory.DefaultServerTimeout);
        var clients = new LoadClients(
            [server.BaseAddress], new TopicNames("idle", options.Topics), 0, options.WebSockets, subscribers.Create, options.Concurrency, errors);
        var step = Math.Max(options.WebSockets / 10, 1);
        var ramp = Stopwatch.StartNew();
        var opened = await clients.ConnectAllAsync(done =>
        {
            if (done % step == 0)
            {
                Progress($"{done} of {options.WebSockets} WebSockets attempted, RSS {server.ReadRss() / 1024 / 1024} MiB");
            }
        }, cancellationToken);
        ramp.Stop();
        Progress($"{opened} WebSockets open in {ramp.Elapsed.TotalSeconds:0.0} s, {errors.Total} failed");
        await SettleAsync(options, cancellationToken);
        var after = await ServerSnapshot.TakeAsync(server, probe, cancellationToken);
        var connectMs = clients.ConnectMs.Select(c => c.Ms).Order().ToList();
        return new WebSocketPhase
        {
            Clients = clients,
            Protocol = options.Protocol.ToString().ToLowerInvariant(),
            Asked = options.WebSockets,
            Opened = opened,
            Errors = errors.ByCategory,
            ClosedByServer = errors.ClosedByServer,
            RampSeconds = ramp.Elapsed.TotalSeconds,
            ConnectP50Ms = BenchResult.Percentile(connectMs, 0.50),
            ConnectP99Ms = BenchResult.Percentile(connectMs, 0.99),
            ConnectMaxMs = connectMs.Count == 0 ? 0 : connectMs[^1],
            After = after,
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
