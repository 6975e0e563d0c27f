using System.Globalization;
using System.Diagnostics;
using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// The load scenario: start Redis (when asked) and the hub nodes, connect the subscribers (and the stalled
/// ones, if asked), publish at the given rate for the given time (dropping and reconnecting everyone once if
/// asked), wait for the last events, account for every event each subscriber had to see, and find out which
/// stalled subscribers the hub closed. Everything started is stopped.
/// </summary>
internal static class LoadRun
{
    private const int SpareFileDescriptors = 1024;

    public static async Task<LoadResult> RunAsync(BenchOptions options, string arguments, CancellationToken cancellationToken)
    {
        var repo = options.RepoRoot();
        var machine = await MachineInfo.ReadAsync(cancellationToken);
        var source = options.Source ?? await HubServer.DescribeSourceAsync(repo, cancellationToken);
        var clients = options.Connections + options.WebSockets + options.Stalled;
        var needed = (ulong)(clients + SpareFileDescriptors);
        var (soft, hard) = Native.RaiseOpenFileLimit(needed);
        Progress($"open-file limit {soft} (hard {hard}), inherited by the servers");
        if (soft < needed)
        {
            throw new InvalidOperationException(
                $"{clients} subscribers need about {needed} open files in the bench, but the hard limit is {hard}. " +
                $"Raise it (ulimit -Hn, or the container's nofile limit) or ask for at most {soft - SpareFileDescriptors} subscribers.");
        }

        if (options.Build)
        {
            Progress("building Hub.Server in Release");
            await HubServer.BuildAsync(repo, cancellationToken);
        }

        var lifetime = options.Timeout + TimeSpan.FromSeconds(60);
        await using var redis = options.StartsRedis ? await RedisProcess.StartAsync(lifetime, cancellationToken) : null;
        var replicas = new List<RedisProcess>();
        for (var r = 0; r < options.Replicas; r++)
        {
            replicas.Add(await RedisProcess.StartAsync(lifetime, cancellationToken, replicaOf: redis));
        }

        if (redis is not null && replicas.Count > 0)
        {
            await redis.WaitForReplicasAsync(replicas.Count, cancellationToken);
        }

        var redisConnection = redis?.ConnectionString ?? options.Redis;
        var redisVersion = redisConnection is null ? null : await RedisProcess.VersionAsync(cancellationToken);
        if (redis is not null)
        {
            Progress($"redis-server {redisVersion} on {redis.ConnectionString}, {replicas.Count} replica(s) in sync");
        }

        var probes = new List<GcProbe>();
        var servers = new List<HubServer>();
        try
        {
            for (var n = 0; n < options.Nodes; n++)
            {
                var probe = options.GcProbe ? new GcProbe() : null;
                if (probe is not null)
                {
                    probes.Add(probe);
                }

                var environment = new Dictionary<string, string>(probe?.Environment ?? new Dictionary<string, string>());
                if (options.Acknowledge > 0)
                {
                    environment["Redis__ReplicasToAcknowledge"] = options.Acknowledge.ToString(CultureInfo.InvariantCulture);
                }

                var server = await HubServer.StartAsync(repo, redisConnection, lifetime, environment, cancellationToken);
                servers.Add(server);
                Progress($"hub node {n + 1} pid {server.Pid} on {server.BaseAddress}");
            }

            return await RunAgainstAsync(options, arguments, machine, source, redisVersion, soft, hard, servers, probes, cancellationToken);
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            foreach (var probe in probes)
            {
                probe.Dispose();
            }

            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }
        }
    }

    /// <summary>Progress on stderr, so stdout carries only the result.</summary>
    public static void Progress(string message) => BenchRun.Progress(message);

    private static async Task<LoadResult> RunAgainstAsync(
        BenchOptions options, string arguments, MachineInfo machine, string source, string? redisVersion, ulong soft, ulong hard,
        List<HubServer> servers, List<GcProbe> probes, CancellationToken cancellationToken)
    {
        var nodes = servers.Select(s => s.BaseAddress).ToList();
        var outcome = await DriveAsync(options, nodes, servers, cancellationToken);

        var scrape = new HttpClient();
        var metrics = ServerMetrics.Add(await Task.WhenAll(nodes.Select(node => ServerMetrics.ScrapeAsync(scrape, node, cancellationToken))));
        var snapshots = new List<ServerSnapshot>();
        for (var n = 0; n < servers.Count; n++)
        {
            snapshots.Add(await ServerSnapshot.TakeAsync(servers[n], probes.Count > n ? probes[n] : null, cancellationToken));
        }

        await outcome.Clients.DisposeAsync();
        return new LoadResult
        {
            Machine = machine,
            Arguments = arguments,
            Source = source,
            Nodes = servers.Count,
            Redis = redisVersion,
            Replicas = options.Replicas,
            Acknowledge = options.Acknowledge,
            OpenFileLimit = soft,
            OpenFileHardLimit = hard,
            Protocol = options.MessagePack ? "messagepack" : "json",
            Sse = options.Connections,
            WebSockets = options.WebSockets,
            Topics = options.Topics,
            Sources = options.Sources,
            Rate = options.Rate,
            DurationSeconds = options.Duration.TotalSeconds,
            Outcome = outcome,
            ServerMetrics = metrics,
            ServerAfter = snapshots,
        };
    }

    /// <summary>
    /// The part that needs only the nodes' addresses, so a test can run it against in-process nodes;
    /// <paramref name="servers"/>, when the nodes are processes of the bench's, are read for memory and CPU.
    /// </summary>
    public static async Task<LoadOutcome> DriveAsync(
        BenchOptions options, IReadOnlyList<Uri> nodes, IReadOnlyList<HubServer>? servers, CancellationToken cancellationToken)
    {
        Func<long>? readRss = servers is null ? null : () => servers.Sum(s => s.ReadRss());
        Func<double> readCpu = servers is null ? () => 0 : () => servers.Sum(s => s.ReadCpuSeconds());
        var sources = LoopbackClient.SourceAddresses(options.Sources);
        var sseHttp = LoopbackClient.Create(sources, options.ConnectTimeout);
        var invoker = new HttpMessageInvoker(LoopbackClient.CreateHandler(sources, options.ConnectTimeout));
        var publishers = nodes.Select(node => new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(60) }).ToList();
        var topics = new TopicNames(options.TopicPrefix, options.Topics);
        var accounting = new LoadAccounting(options.Topics);
        var errors = new LoadErrors();
        var subscribers = new SubscriberFactory(
            sseHttp, invoker, options.MessagePack, options.ConnectTimeout, accounting, errors, SubscriberFactory.DefaultServerTimeout);
        var clients = new LoadClients(nodes, topics, options.Connections, options.WebSockets, subscribers.Create, options.Concurrency, errors);
        await using var stalled = options.Stalled > 0
            ? new StalledSubscribers(nodes, topics, options.Stalled, subscribers, sources, options.Concurrency)
            : null;

        var total = options.Connections + options.WebSockets;
        var step = Math.Max(total / 10, 1);
        var ramp = Stopwatch.StartNew();
        var connected = await clients.ConnectAllAsync(done =>
        {
            if (done % step == 0)
            {
                Progress($"{done} of {total} subscribers attempted");
            }
        }, cancellationToken);
        ramp.Stop();
        Progress($"{connected} subscribers connected in {ramp.Elapsed.TotalSeconds:0.0} s, {errors.Total} errors");
        var connectMs = clients.ConnectMs.ToList();
        if (stalled is not null)
        {
            var stalledCount = await stalled.ConnectAllAsync(cancellationToken);
            Progress($"{stalledCount} of {options.Stalled} stalled subscribers subscribed and stopped reading");
        }

        var rssConnected = readRss?.Invoke() ?? 0;

        var publisher = new Publisher(publishers, accounting, topics, options.Rate, options.Lanes);
        Progress($"publishing {options.Rate:0} events/s for {options.Duration.TotalSeconds:0} s over {options.Topics} topics");
        long rssPeak = rssConnected;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                rssPeak = Math.Max(rssPeak, readRss?.Invoke() ?? 0);
                await Task.Delay(500, CancellationToken.None);
            }
        }, CancellationToken.None);

        var receivedBefore = accounting.Received;
        var serverCpuBefore = readCpu();
        var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var publishing = Stopwatch.StartNew();
        var publish = publisher.RunAsync(options.Duration, cancellationToken);
        StormOutcome? storm = null;
        if (options.StormAt is { } at && at < options.Duration)
        {
            await Task.Delay(at, cancellationToken);
            storm = await StormAsync(clients, accounting, options, cancellationToken);
        }

        await publish;
        publishing.Stop();
        var receivedDuring = accounting.Received - receivedBefore;
        var serverCpu = readCpu() - serverCpuBefore;
        var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds;
        Progress($"published {accounting.Published.TotalAcknowledged} events in {publisher.Batches} batches; draining");

        var drain = Stopwatch.StartNew();
        while (!accounting.CaughtUp() && drain.Elapsed < options.Drain)
        {
            await Task.Delay(100, cancellationToken);
        }

        drain.Stop();
        await sampling.CancelAsync();
        await sampler;

        var summary = accounting.Summarize();
        Progress($"caught up after {drain.Elapsed.TotalSeconds:0.0} s: {summary.Lost} lost, {summary.Duplicates} duplicated, {summary.OutOfOrder} out of order");
        StalledOutcome? stalledOutcome = null;
        if (stalled is not null)
        {
            stalledOutcome = await stalled.ProbeAsync();
            Progress($"stalled subscribers closed by the hub: {stalledOutcome.Sse.ClosedByServer} of {stalledOutcome.Sse.Stalled} SSE, " +
                $"{stalledOutcome.WebSocket.ClosedByServer} of {stalledOutcome.WebSocket.Stalled} WebSocket");
        }

        return new LoadOutcome
        {
            Clients = clients,
            Connected = connected,
            RampSeconds = ramp.Elapsed.TotalSeconds,
            ConnectMs = connectMs,
            Published = accounting.Published.TotalAcknowledged,
            PublishFailedEvents = accounting.Published.FailedEvents,
            PublishSeconds = publishing.Elapsed.TotalSeconds,
            ReceivedDuringPublishing = receivedDuring,
            ServerCpuSeconds = serverCpu,
            BenchCpuSeconds = benchCpu,
            DrainSeconds = drain.Elapsed.TotalSeconds,
            CaughtUp = accounting.CaughtUp(),
            Summary = summary,
            LatencyCount = accounting.Latency.Count,
            LatencyP50Ms = accounting.Latency.PercentileMs(0.50),
            LatencyP99Ms = accounting.Latency.PercentileMs(0.99),
            LatencyP999Ms = accounting.Latency.PercentileMs(0.999),
            LatencyMaxMs = accounting.Latency.MaxMs,
            AcknowledgeMs = publisher.AcknowledgeMs,
            Errors = errors.ByCategory,
            ClosedByServer = errors.ClosedByServer,
            Storm = storm,
            Stalled = stalledOutcome,
            RssConnected = rssConnected,
            RssPeak = rssPeak,
        };
    }

    private static async Task<StormOutcome> StormAsync(LoadClients clients, LoadAccounting accounting, BenchOptions options, CancellationToken cancellationToken)
    {
        Progress($"storm: dropping all {clients.Clients.Count} subscribers at once");
        var storm = Stopwatch.StartNew();
        var reconnected = await clients.DropAndReconnectAllAsync(cancellationToken);
        var reconnectSeconds = storm.Elapsed.TotalSeconds;
        Progress($"storm: {reconnected} reconnected in {reconnectSeconds:0.0} s; waiting for them to catch up");
        while (accounting.Clients.Any(c => c.Recovering) && storm.Elapsed < options.Drain + TimeSpan.FromSeconds(reconnectSeconds))
        {
            await Task.Delay(50, cancellationToken);
        }

        var times = accounting.Clients.Select(c => c.RecoveryTime).ToList();
        var recovered = times.Where(t => t is not null).Select(t => t!.Value.TotalMilliseconds).Order().ToList();
        Progress($"storm: {recovered.Count} of {times.Count} caught up; the last after {(recovered.Count == 0 ? 0 : recovered[^1]) / 1000:0.0} s");
        return new StormOutcome(
            times.Count, reconnected, recovered.Count, reconnectSeconds,
            BenchResult.Percentile(recovered, 0.5) / 1000, recovered.Count == 0 ? 0 : recovered[^1] / 1000);
    }
}

/// <summary>The reconnect storm's figures.</summary>
/// <param name="Dropped">Subscribers dropped at once.</param>
/// <param name="Reconnected">Of them, reconnected and resubscribed (with retries).</param>
/// <param name="Recovered">Of them, caught up: seen every event whose publish had started when they were back.</param>
/// <param name="ReconnectSeconds">From the drop until the last reconnect attempt ended.</param>
/// <param name="RecoveryP50Seconds">From the drop until caught up, median subscriber.</param>
/// <param name="RecoveryMaxSeconds">From the drop until the last subscriber caught up.</param>
internal sealed record StormOutcome(int Dropped, int Reconnected, int Recovered, double ReconnectSeconds, double RecoveryP50Seconds, double RecoveryMaxSeconds);
