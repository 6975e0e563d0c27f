using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Hubs;

/// <summary>
/// Watches the backplane's subscription connection. While it is down this node receives no group
/// messages, and after Redis returns the publishing connections of other nodes may be back before
/// this node's subscriptions are: events accepted in that window are stored but never reach this
/// node's clients live. So when the subscription connection is restored after a failure, the node
/// closes its connections; each client resumes from its last id (join, then read history) and gets
/// exactly what it missed.
/// </summary>
internal sealed partial class BackplaneWatch(RedisConnection redis, NodeLifetimeManager connections, ILogger<BackplaneWatch> logger) : IHostedService
{
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
            LogRestored(logger, connections.CloseAll());
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "The backplane subscription is lost ({Failure}); this node receives no events until it returns.")]
    private static partial void LogLost(ILogger logger, string failure);

    [LoggerMessage(2, LogLevel.Warning, "The backplane subscription is back; closed {Count} connections so their clients resume from their last ids.")]
    private static partial void LogRestored(ILogger logger, int count);
}
