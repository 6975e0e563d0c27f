using System.Collections.Concurrent;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Bridge;

/// <summary>
/// Ingests what the products' workers publish with plain Redis <c>PUBLISH</c> (docs/contract.md, Redis channels). Every
/// node subscribes to every bridge pattern and handles each pattern's messages one at a time, in the
/// order Redis delivered them, each through the publishing path with an idempotency key all nodes
/// derive alike (<see cref="BridgeDeduplication"/>): the first node's append stores the event, the
/// others' are answered as duplicates. Any node can die without losing what is published afterwards.
/// </summary>
internal sealed class RedisBridge(RedisConnection redis, BridgeIngest ingest, HandOffSignals handOffs, ILogger<RedisBridge> logger)
    : IHostedService, IDisposable
{
    private static readonly TimeSpan ResubscribeDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _consumers = [];
    private readonly ConcurrentDictionary<Type, bool> _failuresLogged = new();

    /// <summary>Subscribes; returns once each subscription was made or, with Redis down, first tried (it keeps trying).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var subscriber = (await redis.GetAsync()).GetSubscriber();
        var attempted = new List<Task>();

        // Hand-off announcements first, so none is missed once messages flow.
        attempted.Add(Consume(subscriber, RedisKeys.BridgeHandOffs, (message, _) =>
        {
            handOffs.Heard(message.Message.ToString());
            return Task.CompletedTask;
        }));
        foreach (var pattern in RedisKeys.BridgePatterns)
        {
            attempted.Add(Consume(subscriber, pattern, (message, token) => ingest.HandleAsync(message.Channel, message.Message, token)));
        }

        await Task.WhenAll(attempted).WaitAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_consumers).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host stops waiting; a message still in hand is one the other nodes handle too.
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Starts consuming <paramref name="channel"/>; the task returned completes after the first subscription attempt.</summary>
    private Task Consume(ISubscriber subscriber, RedisChannel channel, Func<ChannelMessage, CancellationToken, Task> handle)
    {
        var attempted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _consumers.Add(Task.Run(() => ConsumeAsync(subscriber, channel, handle, attempted)));
        return attempted.Task;
    }

    private async Task ConsumeAsync(
        ISubscriber subscriber, RedisChannel channel, Func<ChannelMessage, CancellationToken, Task> handle, TaskCompletionSource attempted)
    {
        var token = _stopping.Token;
        try
        {
            var queue = await SubscribeAsync(subscriber, channel, attempted, token);
            try
            {
                // One message at a time: the next append of a channel starts only after the previous returned.
                await foreach (var message in queue.WithCancellation(token))
                {
                    try
                    {
                        await handle(message, token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        if (_failuresLogged.TryAdd(ex.GetType(), true))
                        {
                            BridgeLog.Failed(logger, message.Channel.ToString(), ex);
                        }
                    }
                }
            }
            finally
            {
                await UnsubscribeAsync(queue);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            attempted.TrySetResult();
        }
    }

    private async Task<ChannelMessageQueue> SubscribeAsync(
        ISubscriber subscriber, RedisChannel channel, TaskCompletionSource attempted, CancellationToken token)
    {
        while (true)
        {
            try
            {
                var queue = await subscriber.SubscribeAsync(channel);
                BridgeLog.Subscribed(logger, channel.ToString());
                attempted.TrySetResult();
                return queue;
            }
            catch (Exception ex) when (RedisConnection.IsUnreachable(ex))
            {
                // Redis down at start-up: the node starts anyway and the bridge joins once Redis answers.
                if (attempted.TrySetResult())
                {
                    BridgeLog.CannotSubscribe(logger, channel.ToString(), ex.Message, ResubscribeDelay);
                }

                await Task.Delay(ResubscribeDelay, token);
            }
        }
    }

    private static async Task UnsubscribeAsync(ChannelMessageQueue queue)
    {
        try
        {
            await queue.UnsubscribeAsync();
        }
        catch (Exception ex) when (RedisConnection.IsUnreachable(ex) || ex is ObjectDisposedException)
        {
            // The connection is gone, and the subscription with it.
        }
    }
}
