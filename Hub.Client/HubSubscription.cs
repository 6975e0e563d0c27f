using Microsoft.Extensions.Logging;
using RealtimeHub.Client.Internal;

namespace RealtimeHub.Client;

/// <summary>
/// A callback subscription to one topic. Its handler gets every event once, in id order, one call at a
/// time; disposing it stops the calls and leaves the topic once no other local subscription needs it.
/// </summary>
public sealed class HubSubscription : IAsyncDisposable
{
    // Set inside the handler's calls, so a handler that disposes its own subscription does not wait for itself.
    private static readonly AsyncLocal<HubSubscription?> Running = new();

    private readonly Func<ValueTask> _leave;
    private readonly CancellationTokenSource _stopping = new();
    private Task _pump = Task.CompletedTask;
    private int _disposed;

    private HubSubscription(string topic, Func<ValueTask> leave)
    {
        Topic = topic;
        _leave = leave;
    }

    /// <summary>The topic, for example <c>bom:42</c>.</summary>
    public string Topic { get; }

    /// <summary>The id of the last event handed to the handler, or null before the first.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Stops the handler calls and leaves the topic when this was its last local subscription.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _leave();
        if (Running.Value != this)
        {
            await _pump;
            _stopping.Dispose();
        }
    }

    internal static HubSubscription Start<T>(
        string topic, Subscriber subscriber, Func<ProgressEvent<T>, Task> onEvent, Func<ValueTask> leave, ILogger logger)
    {
        var subscription = new HubSubscription(topic, leave);
        subscription._pump = Task.Run(() => subscription.PumpAsync(subscriber, onEvent, logger));
        return subscription;
    }

    private async Task PumpAsync<T>(Subscriber subscriber, Func<ProgressEvent<T>, Task> onEvent, ILogger logger)
    {
        Running.Value = this;
        var token = _stopping.Token;
        try
        {
            await foreach (var envelope in subscriber.Reader.ReadAllAsync(token))
            {
                try
                {
                    await onEvent(ProgressEvent<T>.From(envelope));
                }
#pragma warning disable CA1031 // A failing handler must not end the subscription; the failure is logged.
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    ClientLog.HandlerFailed(logger, Topic, envelope.Id, ex);
                }

                LastEventId = envelope.Id;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed.
        }
#pragma warning disable CA1031 // The client gave up (its reconnect policy ran out, or the hub refused the topic): already logged.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
