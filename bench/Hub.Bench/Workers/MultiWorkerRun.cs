using System.Diagnostics;
using RealtimeHub.Bench.Accounting;
using RealtimeHub.Bench.Load;

namespace RealtimeHub.Bench.Workers;

/// <summary>
/// The load scenario over <c>--workers</c> load-generator processes: each worker connects its share of the
/// subscribers (<see cref="WorkerPlan.Split"/>); once all are connected the bench measures every node idle,
/// publishes (the publish log is shared with the workers through a memory-mapped file), drops everyone at
/// once or kills node 1 if asked, lets the workers drain and adds up their accounts: counts are summed,
/// latency histograms merged bucket by bucket, storms' recovery times pooled. With <c>--churn</c> it then
/// closes and reopens every subscriber, measuring the nodes after each wave.
/// </summary>
internal static class MultiWorkerRun
{
    /// <summary>Runs the scenario against nodes that are up.</summary>
    /// <param name="options">The run's options.</param>
    /// <param name="targets">Where the subscribers connect: the nodes, or the balancer.</param>
    /// <param name="publishTo">Where the publisher posts; by default <paramref name="targets"/>, or the nodes but the first with <c>--kill-node-at</c>.</param>
    /// <param name="servers">The nodes when they are the bench's processes, read for open files, memory and CPU; empty otherwise.</param>
    /// <param name="probes">Their heap probes, one per server, or none.</param>
    /// <param name="cancellationToken">Ends the run.</param>
    public static async Task<LoadOutcome> DriveAsync(
        BenchOptions options, IReadOnlyList<Uri> targets, IReadOnlyList<Uri>? publishTo, IReadOnlyList<HubServer> servers, IReadOnlyList<GcProbe> probes,
        CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("hub-bench-workers-").FullName;
        try
        {
            using var log = PublishLog.Open(Path.Combine(directory, "publish-log"), options.Topics);
            var accounting = new LoadAccounting(log);
            await SettleAsync(options, cancellationToken);
            var before = await NodeState.ReadAsync(servers, probes, cancellationToken);

            var workers = new List<WorkerProcess>();
            try
            {
                var ramp = Stopwatch.StartNew();
                foreach (var plan in WorkerPlan.Split(options, targets, Path.Combine(directory, "publish-log")))
                {
                    workers.Add(await WorkerProcess.StartAsync(plan, directory, cancellationToken));
                }

                IReadOnlyList<WorkerConnected> connected;
                using (ReportConnections(servers))
                {
                    connected = await AllAsync<WorkerConnected>(workers, null, WorkerAnswer.Connected, cancellationToken);
                }

                ramp.Stop();
                Progress($"{connected.Sum(c => c.Connected)} subscribers connected by {workers.Count} workers in {ramp.Elapsed.TotalSeconds:0.0} s, {connected.Sum(c => c.Errors)} errors");
                await SettleAsync(options, cancellationToken);
                var idle = await NodeState.ReadAsync(servers, probes, cancellationToken);
                Progress($"idle: {idle.Sum(n => n.OpenFiles) - before.Sum(n => n.OpenFiles)} more open files on the nodes, RSS {Mib(idle.Sum(n => n.Snapshot.Rss))}");

                var published = await PublishAsync(options, publishTo ?? targets, servers, workers, accounting, cancellationToken);
                var reports = await AllAsync<WorkerReport>(workers, WorkerCommand.Published, WorkerAnswer.Report, cancellationToken);
                var churn = await ChurnAsync(options, servers, probes, workers, cancellationToken);
                return Combine(options, ramp.Elapsed.TotalSeconds, servers, before, idle, connected, published, reports, accounting, churn);
            }
            finally
            {
                await Task.WhenAll(workers.Select(w => w.DisposeAsync().AsTask()));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Publishes for the run's duration, with the storm or the node kill if asked; the workers count deliveries and CPU meanwhile.</summary>
    private static async Task<Publishing> PublishAsync(
        BenchOptions options, IReadOnlyList<Uri> publishTo, IReadOnlyList<HubServer> servers, List<WorkerProcess> workers, LoadAccounting accounting,
        CancellationToken cancellationToken)
    {
        var publishers = publishTo.Select(node => new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromSeconds(60) }).ToList();
        var publisher = new Publisher(publishers, accounting, new TopicNames(options.TopicPrefix, options.Topics), options.Rate, options.Lanes);
        await AllAsync<object>(workers, WorkerCommand.Publishing, null, cancellationToken);
        using var peak = new RssPeak(() => servers.Sum(s => s.Alive ? s.ReadRss() : 0));
        var serverCpuBefore = servers.Select(s => s.ReadCpuSeconds()).ToList();
        var workerCpuBefore = workers.Sum(w => w.ReadCpuSeconds());
        var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Progress($"publishing {options.Rate:0} events/s for {options.Duration.TotalSeconds:0} s over {options.Topics} topics");
        var clock = Stopwatch.StartNew();
        var publish = publisher.RunAsync(options.Duration, cancellationToken);
        StormOutcome? storm = null;
        long killedAt = 0;
        if (options.StormAt is { } stormAt && stormAt < options.Duration)
        {
            await Task.Delay(stormAt, cancellationToken);
            storm = StormSample.Combine(await AllAsync<StormSample>(workers, WorkerCommand.Storm, WorkerAnswer.Storm, cancellationToken)).ToOutcome();
        }
        else if (options.KillNodeAt is { } killAt && killAt < options.Duration)
        {
            await Task.Delay(killAt, cancellationToken);
            killedAt = Stopwatch.GetTimestamp();
            servers[0].Kill();
            Progress($"killed node 1 (pid {servers[0].Pid}) with SIGKILL");
        }

        await publish;
        clock.Stop();
        var serverCpu = servers.Select((s, n) => (s.Alive ? s.ReadCpuSeconds() : serverCpuBefore[n]) - serverCpuBefore[n]).ToList();
        var workerCpu = workers.Sum(w => w.ReadCpuSeconds()) - workerCpuBefore;
        var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore).TotalSeconds;
        Progress($"published {accounting.Published.TotalAcknowledged} events in {publisher.Batches} batches; the workers drain");
        return new Publishing(clock.Elapsed.TotalSeconds, serverCpu, workerCpu, benchCpu, peak.Peak, storm, killedAt);
    }

    /// <summary>Closes and reopens every subscriber <see cref="BenchOptions.Churn"/> times, measuring the nodes after each close and each open.</summary>
    private static async Task<IReadOnlyList<ChurnWave>> ChurnAsync(
        BenchOptions options, IReadOnlyList<HubServer> servers, IReadOnlyList<GcProbe> probes, List<WorkerProcess> workers, CancellationToken cancellationToken)
    {
        var waves = new List<ChurnWave>();
        for (var wave = 1; wave <= options.Churn; wave++)
        {
            var closed = await AllAsync<WorkerConnected>(workers, WorkerCommand.Close, WorkerAnswer.Closed, cancellationToken);
            await SettleAsync(options, cancellationToken);
            var afterClose = await NodeState.ReadAsync(servers, probes, cancellationToken);
            var opened = await AllAsync<WorkerConnected>(workers, WorkerCommand.Open, WorkerAnswer.Connected, cancellationToken);
            await SettleAsync(options, cancellationToken);
            var afterOpen = await NodeState.ReadAsync(servers, probes, cancellationToken);
            waves.Add(new ChurnWave(wave, closed.Max(c => c.Seconds), afterClose, opened.Sum(o => o.Connected), opened.Max(o => o.Seconds), afterOpen));
            Progress($"churn wave {wave}: closed, RSS {Mib(afterClose.Sum(n => n.Snapshot.Rss))}; reopened {opened.Sum(o => o.Connected)}, RSS {Mib(afterOpen.Sum(n => n.Snapshot.Rss))}");
        }

        return waves;
    }

    private static LoadOutcome Combine(
        BenchOptions options, double rampSeconds, IReadOnlyList<HubServer> servers, IReadOnlyList<NodeState> before, IReadOnlyList<NodeState> idle,
        IReadOnlyList<WorkerConnected> connected, Publishing published, IReadOnlyList<WorkerReport> reports, LoadAccounting accounting,
        IReadOnlyList<ChurnWave> churn)
    {
        var latency = new LatencyRecorder();
        foreach (var report in reports)
        {
            latency.Merge(report.Latency);
        }

        var errors = new Dictionary<string, int>();
        foreach (var (category, count) in reports.SelectMany(r => r.Errors))
        {
            errors[category] = errors.GetValueOrDefault(category) + count;
        }

        KillOutcome? kill = null;
        if (published.KilledAt != 0)
        {
            var last = reports.Max(r => r.LastRecoveredAt);
            kill = new KillOutcome(
                servers[0].BaseAddress, idle[0].OpenFiles - before[0].OpenFiles, reports.Sum(r => r.ClosedByServer), reports.Sum(r => r.Resumed),
                reports.Sum(r => r.Recovered), last == 0 ? null : Stopwatch.GetElapsedTime(published.KilledAt, last).TotalSeconds);
        }

        return new LoadOutcome
        {
            Clients = null,
            Connected = reports.Sum(r => r.Connected),
            RampSeconds = rampSeconds,
            ConnectMs = [.. reports.SelectMany(r => r.ConnectMs.SelectMany(t => t.Value.Select(ms => (t.Key, ms))))],
            Published = accounting.Published.TotalAcknowledged,
            PublishFailedEvents = accounting.Published.FailedEvents,
            PublishSeconds = published.Seconds,
            ReceivedDuringPublishing = reports.Sum(r => r.ReceivedDuringPublishing),
            ServerCpuSeconds = published.ServerCpu.Sum(),
            BenchCpuSeconds = published.BenchCpu + published.WorkerCpu,
            DrainSeconds = reports.Max(r => r.DrainSeconds),
            CaughtUp = reports.All(r => r.CaughtUp),
            Summary = reports.Aggregate(AccountSummary.Zero, (sum, r) => sum.Plus(r.Summary)),
            LatencyCount = latency.Count,
            LatencyP50Ms = latency.PercentileMs(0.50),
            LatencyP99Ms = latency.PercentileMs(0.99),
            LatencyP999Ms = latency.PercentileMs(0.999),
            LatencyMaxMs = latency.MaxMs,
            Errors = errors,
            ClosedByServer = reports.Sum(r => r.ClosedByServer),
            Resumed = reports.Sum(r => r.Resumed),
            Storm = published.Storm,
            RssConnected = idle.Sum(n => n.Snapshot.Rss),
            RssPeak = Math.Max(published.RssPeak, idle.Sum(n => n.Snapshot.Rss)),
            Workers = [.. reports.Select(r => new WorkerFigures(
                r.Index, r.Subscribers, r.Connected, r.Summary, r.Latency.Buckets.Values.Sum(), r.ReceivedDuringPublishing, r.CpuSeconds,
                connected[r.Index].Rss, r.Rss, r.Errors.Values.Sum(), r.ClosedByServer, r.Resumed))],
            Nodes = [.. servers.Select((s, n) => new NodeFigures(n + 1, s.Pid, before[n], idle[n], published.ServerCpu[n]))],
            PublisherCpuSeconds = published.BenchCpu,
            GeneratorCpuSeconds = published.WorkerCpu,
            Kill = kill,
            Churn = churn,
        };
    }

    /// <summary>Every 10 s until disposed: how many open files the nodes hold, which is how far the workers have got.</summary>
    private static Timer ReportConnections(IReadOnlyList<HubServer> servers) => new(
        _ => Progress($"connecting: the nodes hold {servers.Sum(s => s.ReadOpenFiles())} open files"), null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));

    /// <summary>Sends <paramref name="command"/> (if any) to every worker, then reads one <paramref name="answer"/> (if any) from each.</summary>
    private static async Task<IReadOnlyList<T>> AllAsync<T>(
        IReadOnlyList<WorkerProcess> workers, string? command, string? answer, CancellationToken cancellationToken)
    {
        if (command is not null)
        {
            await Task.WhenAll(workers.Select(w => w.SendAsync(command)));
        }

        return answer is null ? [] : await Task.WhenAll(workers.Select(w => w.ReceiveAsync<T>(answer, cancellationToken)));
    }

    private static Task SettleAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        Progress($"settling {options.Settle.TotalSeconds:0} s");
        return Task.Delay(options.Settle, cancellationToken);
    }

    private static string Mib(long bytes) => FormattableString.Invariant($"{bytes / 1024.0 / 1024.0:0.0} MiB");

    private static void Progress(string message) => BenchRun.Progress(message);

    private sealed record Publishing(
        double Seconds, IReadOnlyList<double> ServerCpu, double WorkerCpu, double BenchCpu, long RssPeak, StormOutcome? Storm, long KilledAt);
}
