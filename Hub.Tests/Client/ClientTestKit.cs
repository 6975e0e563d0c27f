using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>Options for the typed client against test nodes, and a recorder for what its subscriptions are handed.</summary>
internal static class ClientTestKit
{
    /// <summary>Retries every 50 ms, so tests that take nodes away do not wait for the default backoff.</summary>
    public static readonly IRetryPolicy QuickRetry = new FixedDelay(TimeSpan.FromMilliseconds(50));

    public static RealtimeHubClientOptions Options(RealtimeHubProtocol protocol, params Uri[] urls)
    {
        var options = new RealtimeHubClientOptions { Protocol = protocol, ReconnectPolicy = QuickRetry };
        foreach (var url in urls)
        {
            options.Urls.Add(url);
        }

        return options;
    }

    public static RealtimeHubClientOptions Options(RealtimeHubProtocol protocol, params HubNode[] nodes) =>
        Options(protocol, [.. nodes.Select(node => node.BaseAddress)]);

    /// <summary>The hub address the client reports for <paramref name="node"/>.</summary>
    public static Uri HubUrl(this HubNode node) => new(node.BaseAddress, HubRoutes.ProgressHub);

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="timeout"/> passes (false).</summary>
    public static async Task<bool> HoldsWithinAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    private sealed class FixedDelay(TimeSpan delay) : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => delay;
    }
}

/// <summary>Records the events a callback subscription is handed, in the order it is handed them.</summary>
internal sealed class Received<T>
{
    private readonly ConcurrentQueue<ProgressEvent<T>> _events = new();

    public IReadOnlyList<ProgressEvent<T>> Events => [.. _events];

    public IReadOnlyList<string> Ids => [.. _events.Select(e => e.Id)];

    public int Count => _events.Count;

    public Task Handle(ProgressEvent<T> received)
    {
        _events.Enqueue(received);
        return Task.CompletedTask;
    }

    public Task WaitForCountAsync(int count, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(() => _events.Count >= count, $"{count} events are handed to the subscription (so far {_events.Count})", timeout);
}
