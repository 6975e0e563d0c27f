using Microsoft.Extensions.Options;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Demo;

/// <summary>
/// Runs simulated jobs of the three products while <see cref="DemoOptions.Enabled"/>: a new one every
/// <see cref="DemoOptions.JobInterval"/>, at most <see cref="DemoOptions.MaxConcurrentJobs"/> at once,
/// all published through <see cref="IProgressPublisher"/>. It never stops the host: a job that cannot
/// publish (Redis down) is logged and dropped, and the next one tries again.
/// </summary>
internal sealed class DemoWorkloads(
    IProgressPublisher publisher, IOptions<DemoOptions> options, TimeProvider clock, ILogger<DemoWorkloads> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.Enabled != true)
        {
            return;
        }

        DemoLog.Started(logger, settings.JobInterval, settings.MaxConcurrentJobs, settings.Speed);
        var script = new DemoScript(publisher, settings.Speed, clock, logger);
        var catalog = new DemoCatalog(settings.FailureRate);
        var running = new List<Task>();
        using var timer = new PeriodicTimer(settings.JobInterval, clock);
        try
        {
            do
            {
                running.RemoveAll(job => job.IsCompleted);
                if (running.Count < settings.MaxConcurrentJobs && catalog.Next() is { } job)
                {
                    running.Add(RunAsync(job, script, catalog, stoppingToken));
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the running jobs see the same token and stop at their next pause.
        }

        await Task.WhenAll(running);
    }

    private async Task RunAsync(DemoJob job, DemoScript script, DemoCatalog catalog, CancellationToken stoppingToken)
    {
        try
        {
            // Off the scheduler's thread, so a job's synchronous start never delays the next tick.
            await Task.Yield();
            await job.RunAsync(script, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (RedisUnavailableException)
        {
            // The script has logged the outage, once.
        }
#pragma warning disable CA1031 // A demo job must never take the host down; it is logged and the demo carries on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            DemoLog.JobCrashed(logger, job.Topic, ex);
        }
        finally
        {
            catalog.Finished(job);
        }
    }
}
