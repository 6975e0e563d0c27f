using System.Diagnostics;
using System.Text.Json;
using RealtimeHub.Bench.Accounting;
using RealtimeHub.Bench.Load;

namespace RealtimeHub.Bench.Workers;

/// <summary>
/// The worker side of a <c>--workers</c> run (<c>Hub.Bench --worker PLAN</c>): connects its share of the
/// subscribers, then follows the coordinator's commands on standard input (<see cref="WorkerCommand"/>) and
/// answers on standard output (<see cref="WorkerAnswer"/>). Its subscribers account against the publish
/// log the coordinator writes, shared through a memory-mapped file. It ends when its input ends.
/// </summary>
internal static class LoadWorker
{
    /// <summary>The command-line flag that runs the bench as a worker.</summary>
    public const string Flag = "--worker";

    private static readonly Lock Output = new();

    public static async Task<int> RunAsync(string planPath, CancellationToken cancellationToken)
    {
        var plan = JsonSerializer.Deserialize<WorkerPlan>(await File.ReadAllTextAsync(planPath, cancellationToken), WorkerJson.Options)
            ?? throw new InvalidOperationException($"{planPath} holds no worker plan.");
        Native.RaiseOpenFileLimit((ulong)(plan.Sse + plan.WebSockets + 1024));
        var connectTimeout = TimeSpan.FromSeconds(plan.ConnectTimeoutSeconds);
        var drain = TimeSpan.FromSeconds(plan.DrainSeconds);
        using var log = PublishLog.Open(plan.PublishLog, plan.Topics);
        var accounting = new LoadAccounting(log);
        var errors = new LoadErrors();
        var sources = LoopbackClient.SourceAddresses(plan.Sources, plan.FirstSource);
        using var sseHttp = LoopbackClient.Create(sources, connectTimeout);
        using var invoker = new HttpMessageInvoker(LoopbackClient.CreateHandler(sources, connectTimeout));
        var factory = new SubscriberFactory(sseHttp, invoker, plan.Protocol, connectTimeout, accounting, errors, SubscriberFactory.DefaultServerTimeout);
        var topics = new TopicNames(plan.TopicPrefix, plan.Topics);
        LoadClients Place() => new(plan.Targets, topics, plan.Sse, plan.WebSockets, factory.Create, plan.Concurrency, errors, plan.FollowDrops);

        var clients = Place();
        try
        {
            var connected = await ConnectAsync(clients, errors, cancellationToken);
            long receivedBefore = 0;
            var cpuBefore = TimeSpan.Zero;
            while (await Console.In.ReadLineAsync(cancellationToken) is { } command)
            {
                switch (command)
                {
                    case WorkerCommand.Publishing:
                        receivedBefore = accounting.Received;
                        cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                        break;
                    case WorkerCommand.Storm:
                        Answer(WorkerAnswer.Storm, await LoadRun.StormAsync(clients, accounting, drain, cancellationToken));
                        break;
                    case WorkerCommand.Published:
                        var receivedDuring = accounting.Received - receivedBefore;
                        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
                        var drainSeconds = await LoadRun.DrainAsync(accounting, drain, cancellationToken);
                        ReportLoss(plan.Index, clients, log);
                        Answer(WorkerAnswer.Report, new WorkerReport(
                            plan.Index, plan.Sse + plan.WebSockets, connected, accounting.Summarize(), accounting.Latency.Export(), receivedDuring, cpu,
                            drainSeconds, accounting.CaughtUp(), errors.ByCategory, errors.ClosedByServer, clients.Resumed,
                            accounting.Clients.Count(c => c.RecoveredAt > 0), accounting.Clients.Select(c => c.RecoveredAt).DefaultIfEmpty().Max(),
                            clients.ConnectMs.GroupBy(c => c.Transport).ToDictionary(g => g.Key, g => g.Select(c => c.Ms).ToList()),
                            Environment.WorkingSet));
                        break;
                    case WorkerCommand.Close:
                        var closing = Stopwatch.StartNew();
                        await clients.DisposeAsync();
                        Answer(WorkerAnswer.Closed, new WorkerConnected(0, errors.Total, closing.Elapsed.TotalSeconds, Environment.WorkingSet));
                        break;
                    case WorkerCommand.Open:
                        clients = Place();
                        connected = await ConnectAsync(clients, errors, cancellationToken);
                        break;
                    default:
                        throw new InvalidOperationException($"worker {plan.Index}: unknown command '{command}'.");
                }
            }
        }
        finally
        {
            await clients.DisposeAsync();
        }

        return 0;
    }

    private static async Task<int> ConnectAsync(LoadClients clients, LoadErrors errors, CancellationToken cancellationToken)
    {
        var ramp = Stopwatch.StartNew();
        var connected = await clients.ConnectAllAsync(null, cancellationToken);
        Answer(WorkerAnswer.Connected, new WorkerConnected(connected, errors.Total, ramp.Elapsed.TotalSeconds, Environment.WorkingSet));
        return connected;
    }

    /// <summary>On standard error: the first few subscribers that missed events, and what they missed, to tell a pattern by.</summary>
    private static void ReportLoss(int worker, LoadClients clients, PublishLog log)
    {
        foreach (var client in clients.Clients.Where(c => c.Account.Ledger.Lost(log.Acknowledged(c.Account.Topic)) > 0).Take(5))
        {
            var account = client.Account;
            var ledger = account.Ledger;
            BenchRun.Progress(
                $"worker {worker}: a {client.Transport} subscriber of topic {account.Topic} missed {ledger.Lost(log.Acknowledged(account.Topic))}: " +
                $"baseline {ledger.Baseline}, last seen {ledger.Last} of {log.Acknowledged(account.Topic)}, gaps {ledger.DescribeGaps()}, " +
                $"{(account.RecoveredAt > 0 ? "caught up after a drop" : "not dropped or not caught up")}");
        }
    }

    /// <summary>One answer line on standard output, which carries nothing else.</summary>
    private static void Answer<T>(string kind, T value)
    {
        var line = kind + " " + JsonSerializer.Serialize(value, WorkerJson.Options);
        lock (Output)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }
}

/// <summary>How plans and answers travel between the coordinator and its workers.</summary>
internal static class WorkerJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
