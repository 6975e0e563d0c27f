using System.Net.ServerSentEvents;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>A JSON SignalR client and an <c>/api/sse</c> stream on each node, subscribed to one topic.</summary>
internal sealed class LiveSubscribers : IAsyncDisposable
{
    private readonly List<HubClient> _clients = [];
    private readonly List<(SseTestClient Stream, List<SseItem<string>> Taken)> _streams = [];

    /// <summary>The SignalR clients, one per node.</summary>
    public IReadOnlyList<HubClient> Clients => _clients;

    public static async Task<LiveSubscribers> StartAsync(string topic, params IEnumerable<HubNode> nodes)
    {
        var subscribers = new LiveSubscribers();
        foreach (var node in nodes)
        {
            var client = await HubClient.ConnectAsync(node);
            subscribers._clients.Add(client);
            await client.SubscribeAsync(topic);
            subscribers._streams.Add((await SseTestClient.OpenAsync(node, $"/api/sse?topic={topic}"), []));
        }

        return subscribers;
    }

    /// <summary>Waits until every subscriber has received <paramref name="ids"/> in all, and asserts it received exactly those, in order.</summary>
    public async Task AssertReceiveAsync(IReadOnlyList<string> ids)
    {
        foreach (var client in _clients)
        {
            await Eventually.HoldsAsync(() => client.EventCount >= ids.Count, "every event reaches the SignalR client");
            Assert.Equal(ids, client.Events.Select(e => e.Id));
        }

        foreach (var (stream, taken) in _streams)
        {
            taken.AddRange(await stream.TakeAsync(Math.Max(0, ids.Count - taken.Count)));
            Assert.Equal(ids, taken.Select(SseTestClient.EventIdOf));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        foreach (var (stream, _) in _streams)
        {
            await stream.DisposeAsync();
        }
    }
}
