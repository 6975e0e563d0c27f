using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Sse;

/// <summary>
/// A stream that resumed with a replay and now waits for live events holds none of the replayed events:
/// a reconnect storm of resuming clients must not keep every replay for as long as the streams stay open.
/// </summary>
public sealed class ResumedStreamRetentionTests : IAsyncLifetime
{
    private WatchedHistory _history = null!;
    private HubNode _node = null!;

    public async Task InitializeAsync() =>
        _node = await HubNode.StartAsync(null, services: services =>
            services.AddSingleton<IEventHistory>(provider =>
                _history = new WatchedHistory(ActivatorUtilities.CreateInstance<InMemoryEventHistory>(provider))));

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_resumed_stream_waiting_for_live_events_keeps_none_of_its_replay()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var ids = await _node.PublishBatchProgressAsync(topic, 40);
        await using var stream = await SseTestClient.OpenAsync(_node, $"/api/sse?topic={topic}", lastEventId: ids[0]);

        var replayed = await stream.TakeAsync(ids.Count - 1);

        Assert.Equal(ids.Skip(1), replayed.Select(SseTestClient.EventIdOf));
        Assert.True(_history.HandedOut >= ids.Count - 1, "the replay was read through the watched history");
        await Eventually.HoldsAsync(
            () =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
                return _history.AliveCount == 0;
            },
            "the open stream lets go of every replayed event");

        // Still open and live: the next event arrives.
        var next = await _node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(100, "completed"));
        Assert.Equal(next, SseTestClient.EventIdOf(Assert.Single(await stream.TakeAsync(1))));
    }

    /// <summary>
    /// The node's history, but every event it reads is handed out as a copy that only its reader holds, and
    /// remembered weakly, so a test can tell whether anything still keeps it.
    /// </summary>
    private sealed class WatchedHistory(IEventHistory inner) : IEventHistory
    {
        private readonly List<WeakReference<EventEnvelope>> _handedOut = [];

        public int HandedOut
        {
            get
            {
                lock (_handedOut)
                {
                    return _handedOut.Count;
                }
            }
        }

        public int AliveCount
        {
            get
            {
                lock (_handedOut)
                {
                    return _handedOut.Count(reference => reference.TryGetTarget(out _));
                }
            }
        }

        public Task<IReadOnlyList<AppendedEvent>> AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) =>
            inner.AppendAsync(events, cancellationToken);

        public async Task<HistoryRead> ReadAsync(Topic topic, HubEventId? after, CancellationToken cancellationToken)
        {
            var read = await inner.ReadAsync(topic, after, cancellationToken);
            var copies = read.Events.Select(envelope => envelope with { }).ToList();
            lock (_handedOut)
            {
                _handedOut.AddRange(copies.Select(copy => new WeakReference<EventEnvelope>(copy)));
            }

            return read with { Events = copies };
        }

        public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
    }
}
