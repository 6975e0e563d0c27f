using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Hands stored events to the backplane. A hand-off that fails because Redis cannot be reached is
/// retried in the background, in order, until the backplane takes it: the event is already stored and
/// acknowledged, so it must still reach every node live, and a publisher's retry would only store it
/// twice. Nodes that got later events meanwhile fill the gap from the history after their gap wait; a
/// late retry is then dropped as delivered.
/// </summary>
internal sealed partial class BackplaneHandOff(IHubContext<ProgressHub, IProgressClient> hub, ILogger<BackplaneHandOff> logger) : BackgroundService
{
    // Past this many, the oldest pending hand-offs go: the nodes read them from the history when the backplane returns.
    private const int MaxPending = 10_000;

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(2);

    private readonly Channel<EventEnvelope> _pending = Channel.CreateBounded<EventEnvelope>(
        new BoundedChannelOptions(MaxPending) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>
    /// Hands <paramref name="envelope"/> to the backplane without waiting for it to confirm (relays order
    /// by sequence number, so nothing depends on the confirmation's timing); queues it for a retry when
    /// Redis cannot be reached.
    /// </summary>
    public void HandOff(EventEnvelope envelope) => _ = HandOffAsync(envelope);

    private async Task HandOffAsync(EventEnvelope envelope)
    {
        try
        {
            await hub.Clients.Group(envelope.Topic).OnEvent(envelope);
        }
        catch (Exception ex) when (RedisConnection.IsUnreachable(ex))
        {
            LogRetrying(logger, envelope.Topic, envelope.Id, ex.Message);
            _pending.Writer.TryWrite(envelope);
        }
#pragma warning disable CA1031 // Nobody awaits a hand-off: whatever else fails is logged here; the relays fill the gap from the history.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, envelope.Topic, envelope.Id, ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var envelope in _pending.Reader.ReadAllAsync(stoppingToken))
        {
            var wait = FirstRetry;
            while (true)
            {
                await Task.Delay(wait, stoppingToken);
                try
                {
                    await hub.Clients.Group(envelope.Topic).OnEvent(envelope);
                    break;
                }
                catch (Exception ex) when (RedisConnection.IsUnreachable(ex))
                {
                    wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LastRetry.Ticks));
                }
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Event {Id} of topic {Topic} is stored but the backplane did not take it ({Reason}); retrying in the background.")]
    private static partial void LogRetrying(ILogger logger, string topic, string id, string reason);

    [LoggerMessage(2, LogLevel.Error, "Event {Id} of topic {Topic} is stored but handing it to the backplane failed; nodes fill it from the history once a later event shows the gap, and resuming clients read it there.")]
    private static partial void LogFailed(ILogger logger, string topic, string id, Exception exception);
}
