using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Hubs;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// A relay's catch-up read sees the history as it was when the read began. Events stored after that
/// moment can reach the relay out of order while the read is under way (hand-offs race each other, and
/// publishers on other nodes go on): a missing number then is not a trimmed event, and must not be
/// announced as one and skipped. These tests hold the read open at that moment to make the race certain.
/// </summary>
public sealed class CatchUpRaceTests : IAsyncDisposable
{
    private readonly Topic _topic = Topic.Batch(Unique.Id());
    private readonly ServiceProvider _services;
    private readonly InMemoryEventHistory _history;
    private readonly HeldHistory _held;
    private readonly TopicRelay _relay;
    private readonly RecordingMember _member = new();
    private readonly DefaultHubLifetimeManager<ProgressHub> _backplane = new(NullLogger<DefaultHubLifetimeManager<ProgressHub>>.Instance);

    public CatchUpRaceTests()
    {
        _services = new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton<HubMetrics>()
            .AddSingleton(TimeProvider.System)
            .Configure<HistoryOptions>(_ => { })
            .Configure<DeliveryOptions>(options => options.GapWait = TimeSpan.FromMilliseconds(200))
            .BuildServiceProvider();
        _history = new InMemoryEventHistory(_services.GetRequiredService<IOptions<HistoryOptions>>(), TimeProvider.System);
        _held = new HeldHistory(_history);
        _relay = new TopicRelay(_topic, new RelayServices(
            _held,
            _services.GetRequiredService<HubMetrics>(),
            _services.GetRequiredService<IOptions<DeliveryOptions>>(),
            TimeProvider.System,
            _services.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));
        _relay.Add(_member);
    }

    [Fact]
    public async Task An_event_stored_after_the_read_began_is_waited_for_and_delivered_in_order_when_its_hand_off_comes()
    {
        var (first, second, third) = await OvertakeDuringReadAsync();

        Assert.Empty(_member.Received);

        await _relay.WriteAsync(Handed(second));
        Assert.Equal([("OnEvent", second.Id), ("OnEvent", third.Id)], _member.Received);
        Assert.True(first.Seq + 1 == second.Seq, "the events are consecutive");
    }

    [Fact]
    public async Task An_event_stored_after_the_read_began_whose_hand_off_never_comes_is_read_from_the_history_after_the_gap_wait()
    {
        var (_, second, third) = await OvertakeDuringReadAsync();

        await Eventually.HoldsAsync(() => _member.Received.Count >= 2, "the gap is filled from the history");
        Assert.Equal([("OnEvent", second.Id), ("OnEvent", third.Id)], _member.Received);
    }

    [Fact]
    public async Task A_gap_before_an_event_that_arrived_before_the_read_began_and_that_the_history_lacks_is_announced_as_a_reset()
    {
        var first = await AppendAsync();
        await _relay.JoinAsync(_backplane);

        // An event numbered two past the last one arrives, and the history, read afterwards, has nothing
        // after the last one: the number between was stored before the read, and is gone.
        var firstId = HubEventId.Parse(first.Id);
        var later = new EventEnvelope { Id = (firstId with { Sequence = firstId.Sequence + 2 }).ToString(), Topic = _topic.ToString(), Type = first.Type, Seq = first.Seq + 2, Timestamp = first.Timestamp, Data = first.Data };
        await _relay.WriteAsync(Handed(later));
        var catchUp = await StartHeldCatchUpAsync();
        _held.Release();
        await catchUp;

        Assert.Equal([("OnHistoryReset", null), ("OnEvent", later.Id)], _member.Received);
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.LeaveAsync(_backplane);
        await _services.DisposeAsync();
    }

    private static SerializedHubMessage Handed(EventEnvelope envelope) =>
        new(new InvocationMessage(nameof(IProgressClient.OnEvent), [envelope]));

    private async Task<EventEnvelope> AppendAsync()
    {
        var appended = await _history.AppendAsync(
            [new NewEvent(_topic, "batch.progress", """{"batchId":"b","processed":1,"total":2}""", DateTimeOffset.UtcNow, null)], CancellationToken.None);
        return appended[0].Stored!;
    }

    /// <summary>
    /// Joins after a first event, then, while a catch-up read is held open, stores a second and a third
    /// event and hands on only the third: the third has overtaken the second, both stored after the read began.
    /// </summary>
    private async Task<(EventEnvelope First, EventEnvelope Second, EventEnvelope Third)> OvertakeDuringReadAsync()
    {
        var first = await AppendAsync();
        await _relay.JoinAsync(_backplane);

        var catchUp = await StartHeldCatchUpAsync();
        var second = await AppendAsync();
        var third = await AppendAsync();
        await _relay.WriteAsync(Handed(third));
        _held.Release();
        await catchUp;
        return (first, second, third);
    }

    /// <summary>Starts a catch-up and returns once its read has taken its view of the history, held open.</summary>
    private async Task<Task> StartHeldCatchUpAsync()
    {
        var readTaken = _held.Hold();
        var catchUp = _relay.CatchUpAsync();
        await readTaken;
        return catchUp;
    }

    /// <summary>The in-memory history, whose next read takes its view at once and answers only when released.</summary>
    private sealed class HeldHistory(IEventHistory inner) : IEventHistory
    {
        private TaskCompletionSource? _readTaken;
        private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Hold()
        {
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _readTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _readTaken.Task;
        }

        public void Release() => _release.TrySetResult();

        public Task<IReadOnlyList<AppendedEvent>> AppendAsync(IReadOnlyList<NewEvent> events, CancellationToken cancellationToken) =>
            inner.AppendAsync(events, cancellationToken);

        public async Task<HistoryRead> ReadAsync(Topic topic, HubEventId? after, CancellationToken cancellationToken)
        {
            var read = await inner.ReadAsync(topic, after, cancellationToken);
            if (Interlocked.Exchange(ref _readTaken, null) is { } taken)
            {
                taken.TrySetResult();
                await _release.Task;
            }

            return read;
        }

        public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);
    }

    /// <summary>A local member that records what the relay sends it: the target and, for an event, its id.</summary>
    private sealed class RecordingMember : ILocalMember
    {
        private readonly Lock _gate = new();
        private readonly List<(string Target, string? Id)> _received = [];

        public string ConnectionId => "recording";

        public List<(string Target, string? Id)> Received
        {
            get
            {
                lock (_gate)
                {
                    return [.. _received];
                }
            }
        }

        public void Send(SerializedHubMessage message)
        {
            var invocation = Assert.IsType<InvocationMessage>(message.Message);
            lock (_gate)
            {
                _received.Add((invocation.Target, invocation.Arguments is [EventEnvelope envelope] ? envelope.Id : null));
            }
        }

        public void Close()
        {
        }
    }
}
