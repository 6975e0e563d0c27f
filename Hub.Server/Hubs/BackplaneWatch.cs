using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Hubs;

/// <summary>
/// Watches the backplane's subscription connection. While it is down this node receives no group
/// messages, and after Redis returns the publishing connections of other nodes may be back before
/// this node's subscriptions are: events accepted in that window are stored but never reach this
/// node through the backplane. So when the subscription connection is restored after a failure, every
/// topic this node follows catches up from the history; no connection is closed.
/// </summary>
internal sealed partial class BackplaneWatch(RedisConnection redis, NodeLifetimeManager delivery, ILogger<BackplaneWatch> logger) : IHostedService
{
    private static readonly TimeSpan ResubscribeAllowance = TimeSpan.FromSeconds(1);

    private IConnectionMultiplexer? _multiplexer;
    private int _lost;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _multiplexer = await redis.GetAsync();
        _multiplexer.ConnectionFailed += OnFailed;
        _multiplexer.ConnectionRestored += OnRestored;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_multiplexer is not null)
        {
            _multiplexer.ConnectionFailed -= OnFailed;
            _multiplexer.ConnectionRestored -= OnRestored;
        }

        return Task.CompletedTask;
    }

    private void OnFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription && Interlocked.Exchange(ref _lost, 1) == 0)
        {
            LogLost(logger, e.FailureType.ToString());
        }
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription && Interlocked.Exchange(ref _lost, 0) == 1)
        {
            LogRestored(logger);
            _ = CatchUpAsync();
        }
    }

    private async Task CatchUpAsync()
    {
        await delivery.CatchUpAllAsync();

        // The channels are subscribed again just after the connection is back: an event published in
        // between reached no node through them, and a second look a moment later finds it.
        await Task.Delay(ResubscribeAllowance);
        await delivery.CatchUpAllAsync();
    }

    [LoggerMessage(1, LogLevel.Warning, "The backplane subscription is lost ({Failure}); this node's subscribers wait, connected, until it returns.")]
    private static partial void LogLost(ILogger logger, string failure);

    [LoggerMessage(2, LogLevel.Warning, "The backplane subscription is back; every topic this node follows catches up from the history.")]
    private static partial void LogRestored(ILogger logger);
}
