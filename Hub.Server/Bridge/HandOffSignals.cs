using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using RealtimeHub.Server.Redis;
using StackExchange.Redis;

namespace RealtimeHub.Server.Bridge;

/// <summary>
/// Keeps live delivery in the channel's order when different nodes store consecutive messages. Ids
/// follow the channel's order by themselves (a node appends a message only after its append of the
/// previous one returned), but the backplane delivers in the order the hand-offs reach Redis: had the
/// node that stored message 1 paused between its append and its hand-off, another node could store
/// and hand off message 2 first, and a client would see 2 before 1 (and an SSE stream would then drop 1
/// as already passed). So the node that stores an event announces its hand-off on
/// <see cref="RedisKeys.BridgeHandOffs"/>, and a node whose append of the same message came back a
/// duplicate waits for that announcement before it moves on to the next message.
/// </summary>
internal sealed class HandOffSignals(RedisConnection redis, TimeProvider clock) : IDisposable
{
    /// <summary>
    /// How long a node waits for an announcement. A node that has not handed on an event it stored by
    /// then has stalled or died; the event stays in the history, so resuming clients still get it.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    // Announcements often arrive before the duplicate's own answer does, and long before a node that
    // lags behind the channel reaches the message, so they are remembered for a while.
    private static readonly TimeSpan Remembered = TimeSpan.FromSeconds(30);

    private readonly MemoryCache _announced = new(new MemoryCacheOptions { ExpirationScanFrequency = Remembered });
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    /// <summary>Tells every node that the event stored under <paramref name="idempotencyKey"/> is with the backplane.</summary>
    public async Task AnnounceAsync(string idempotencyKey)
    {
        try
        {
            // The hand-off was awaited, so Redis has executed it before it executes this.
            var subscriber = (await redis.GetAsync()).GetSubscriber();
            await subscriber.PublishAsync(RedisKeys.BridgeHandOffs, idempotencyKey, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (RedisConnection.IsUnreachable(ex))
        {
            // The other nodes stop waiting after MaxWait; the order is then no longer guaranteed, the event is.
        }
    }

    /// <summary>Records an announcement heard on <see cref="RedisKeys.BridgeHandOffs"/>.</summary>
    public void Heard(string idempotencyKey)
    {
        _announced.Set(idempotencyKey, true, Remembered);
        if (_waiters.TryRemove(idempotencyKey, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Waits until the event stored under <paramref name="idempotencyKey"/> was handed on; false after <see cref="MaxWait"/>.</summary>
    public async Task<bool> WaitAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        if (_announced.TryGetValue(idempotencyKey, out _))
        {
            return true;
        }

        var waiter = _waiters.GetOrAdd(idempotencyKey, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            // Checked again after registering: an announcement heard in between found no waiter to complete.
            if (_announced.TryGetValue(idempotencyKey, out _))
            {
                return true;
            }

            await waiter.Task.WaitAsync(MaxWait, clock, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            _waiters.TryRemove(idempotencyKey, out _);
        }
    }

    public void Dispose() => _announced.Dispose();
}
