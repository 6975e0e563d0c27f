using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Hubs;

namespace RealtimeHub.Server.Delivery;

/// <summary>
/// This node's one member of a topic's backplane group. The backplane writes each of the topic's
/// messages to the relay once, already serialised for every protocol. The relay puts them in sequence
/// (<see cref="EventEnvelope.Seq"/>): the next one goes at once to the outbox of each local subscriber,
/// a later one waits for the gap before it to fill, and a gap still open after
/// <see cref="DeliveryOptions.GapWait"/> (or when the backplane returns after an outage) is filled from
/// the history. Events the history no longer holds are announced with <c>OnHistoryReset</c>, never
/// skipped in silence. Nothing here waits for a subscriber's socket.
/// </summary>
internal sealed partial class TopicRelay : HubConnectionContext
{
    private readonly Topic _topic;
    private readonly RelayServices _services;
    private readonly Lock _gate = new();
    private readonly SortedList<long, Waiting> _waiting = [];
    private ILocalMember[] _members = [];
    private Task? _joined;
    private bool _placed;
    private long _lastSeq;
    private long _arrivals;
    private HubEventId? _lastId;
    private ITimer? _gapTimer;
    private bool _catchingUp;
    private bool _catchUpAgain;
    private bool _left;

    public TopicRelay(Topic topic, RelayServices services)
        : base(new DefaultConnectionContext($"relay-{Guid.NewGuid():N}"), new HubConnectionContextOptions(), services.LoggerFactory)
    {
        _topic = topic;
        _services = services;
    }

    /// <summary>True once the last member left; read under the owner's lock.</summary>
    public bool IsEmpty => _members.Length == 0;

    /// <summary>Adds a member; called under the owner's lock.</summary>
    public void Add(ILocalMember member) => _members = [.. _members, member];

    /// <summary>Removes a member; called under the owner's lock.</summary>
    public void Remove(ILocalMember member) => _members = Array.FindAll(_members, m => m != member);

    /// <summary>
    /// Joins the backplane group, then learns the topic's latest sequence number from the history, once
    /// however many members wait for it. Events after that arrive through the backplane.
    /// </summary>
    public Task JoinAsync(HubLifetimeManager<ProgressHub> backplane)
    {
        lock (_gate)
        {
            return _joined ??= JoinCoreAsync(backplane);
        }
    }

    /// <summary>Leaves the backplane group after the join, if any, has finished.</summary>
    public async Task LeaveAsync(HubLifetimeManager<ProgressHub> backplane)
    {
        Task? joined;
        lock (_gate)
        {
            joined = _joined;
            _left = true;
            _gapTimer?.Dispose();
            _gapTimer = null;
        }

        if (joined is null)
        {
            return;
        }

        try
        {
            await joined;
        }
        catch (Exception)
        {
            // Never joined: there is nothing to leave.
            return;
        }

        try
        {
            await backplane.RemoveFromGroupAsync(ConnectionId, _topic.ToString());
        }
        finally
        {
            await backplane.OnDisconnectedAsync(this);
        }
    }

    /// <summary>
    /// Reads from the history whatever came after the last event delivered: the backplane may have
    /// dropped messages while it was away. Runs one at a time; a request during a run runs again after it.
    /// </summary>
    public async Task CatchUpAsync()
    {
        lock (_gate)
        {
            if (_left || !_placed)
            {
                return;
            }

            if (_catchingUp)
            {
                _catchUpAgain = true;
                return;
            }

            _catchingUp = true;
        }

        try
        {
            bool again;
            do
            {
                HubEventId after;
                long arrivedBeforeRead;
                lock (_gate)
                {
                    _catchUpAgain = false;
                    after = _lastId ?? default;
                    arrivedBeforeRead = _arrivals;
                }

                var read = await _services.History.ReadAsync(_topic, after, CancellationToken.None);
                lock (_gate)
                {
                    PlaceFromHistory(read, arrivedBeforeRead);
                    again = _catchUpAgain;
                }
            }
            while (again);
        }
        catch (Exception ex)
        {
            // The history is away too: try again after the gap wait, and on the backplane's return.
            Log.CatchUpFailed(_services.Logger, _topic.ToString(), ex);
            lock (_gate)
            {
                ArmGapTimer();
            }
        }
        finally
        {
            lock (_gate)
            {
                _catchingUp = false;
            }
        }
    }

    public override ValueTask WriteAsync(HubMessage message, CancellationToken cancellationToken = default) =>
        WriteAsync(new SerializedHubMessage(message), cancellationToken);

    public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default)
    {
        if (!SequenceProtocol.TryRead(message, out var seq, out var id))
        {
            // Not an event: nothing to put in order.
            Deliver(message);
            return ValueTask.CompletedTask;
        }

        lock (_gate)
        {
            if (!_placed)
            {
                // Before the history told where the topic stands: keep it until then.
                _waiting.TryAdd(seq, new Waiting(message, id, ++_arrivals));
            }
            else
            {
                Place(seq, id, message);
            }
        }

        return ValueTask.CompletedTask;
    }

    private async Task JoinCoreAsync(HubLifetimeManager<ProgressHub> backplane)
    {
        await backplane.OnConnectedAsync(this);
        try
        {
            await backplane.AddToGroupAsync(ConnectionId, _topic.ToString());
            var latest = await _services.History.ReadAsync(_topic, null, CancellationToken.None);
            lock (_gate)
            {
                if (latest.Events is [.., var newest])
                {
                    _lastSeq = newest.Seq;
                    _lastId = HubEventId.Parse(newest.Id);
                }

                _placed = true;
                DeliverWaiting();
            }
        }
        catch
        {
            await backplane.OnDisconnectedAsync(this);
            throw;
        }
    }

    /// <summary>Delivers an event in its place, or keeps it until the gap before it fills. Under the lock.</summary>
    private void Place(long seq, HubEventId id, SerializedHubMessage message)
    {
        if (seq <= _lastSeq)
        {
            if (_lastId is { } last && id <= last)
            {
                // Delivered already (a late hand-off, or one the history filled).
                return;
            }

            // A later id with a lower number: the topic's counter began again after its history expired whole.
            _waiting.Clear();
            _lastSeq = seq - 1;
        }

        if (seq == _lastSeq + 1)
        {
            DeliverInPlace(seq, id, message);
            DeliverWaiting();
        }
        else
        {
            _waiting.TryAdd(seq, new Waiting(message, id, ++_arrivals));
            ArmGapTimer();
        }
    }

    /// <summary>
    /// Delivers, in order, what the history returned past the last delivered event together with what
    /// waits from the backplane. A missing number below an event the read returned, or below one that had
    /// arrived before the read began, was stored before the read and is not in the history: it was
    /// trimmed before this node could deliver it, and is announced as a history reset. A missing number
    /// below only events that arrived during the read may simply have been stored after it: that gap
    /// waits for its hand-off, or for the next read. Under the lock.
    /// </summary>
    private void PlaceFromHistory(HistoryRead read, long arrivedBeforeRead)
    {
        var filled = false;
        var settledThrough = long.MinValue;
        foreach (var envelope in read.Events)
        {
            var id = HubEventId.Parse(envelope.Id);
            if (envelope.Seq <= _lastSeq && _lastId is { } last && id > last)
            {
                // A later id with a lower number: the topic's counter began again (its history expired,
                // or Redis came back without its data); what waits belongs to the old count.
                _waiting.Clear();
                _lastSeq = envelope.Seq - 1;
            }

            settledThrough = Math.Max(settledThrough, envelope.Seq);
            if (envelope.Seq > _lastSeq && !_waiting.ContainsKey(envelope.Seq))
            {
                filled = true;
                _waiting.Add(envelope.Seq, new Waiting(new SerializedHubMessage(new InvocationMessage(nameof(IProgressClient.OnEvent), [envelope])), id, Arrival: 0));
            }
        }

        foreach (var (seq, waiting) in _waiting)
        {
            if (waiting.Arrival <= arrivedBeforeRead)
            {
                settledThrough = Math.Max(settledThrough, seq);
            }
        }

        while (_waiting.Count > 0)
        {
            var seq = _waiting.Keys[0];
            var (message, id, _) = _waiting.Values[0];
            if (seq <= _lastSeq)
            {
                _waiting.RemoveAt(0);
                continue;
            }

            if (seq > _lastSeq + 1)
            {
                if (seq > settledThrough)
                {
                    // Stored after the read, perhaps: its hand-off may still come.
                    break;
                }

                if (_lastId is { } requested)
                {
                    Deliver(new SerializedHubMessage(new InvocationMessage(nameof(IProgressClient.OnHistoryReset), [new HistoryReset
                    {
                        Topic = _topic.ToString(),
                        RequestedId = requested.ToString(),
                        OldestRetainedId = id.ToString(),
                    }])));
                    Log.Reset(_services.Logger, _topic.ToString(), requested.ToString(), id.ToString());
                    _services.Metrics.GapClosed(filled: false);
                }
            }

            _waiting.RemoveAt(0);
            DeliverInPlace(seq, id, message);
        }

        if (filled)
        {
            _services.Metrics.GapClosed(filled: true);
        }

        _gapTimer?.Dispose();
        _gapTimer = null;
        if (_waiting.Count > 0)
        {
            ArmGapTimer();
        }
    }

    /// <summary>Delivers every waiting event that is next in line; re-arms or stops the gap timer. Under the lock.</summary>
    private void DeliverWaiting()
    {
        while (_waiting.Count > 0)
        {
            var seq = _waiting.Keys[0];
            var (message, id, _) = _waiting.Values[0];
            if (seq > _lastSeq + 1)
            {
                ArmGapTimer();
                return;
            }

            _waiting.RemoveAt(0);
            if (seq == _lastSeq + 1)
            {
                DeliverInPlace(seq, id, message);
            }
        }

        _gapTimer?.Dispose();
        _gapTimer = null;
    }

    private void DeliverInPlace(long seq, HubEventId id, SerializedHubMessage message)
    {
        _lastSeq = seq;
        _lastId = id;
        Deliver(message);
    }

    private void Deliver(SerializedHubMessage message)
    {
        foreach (var member in Volatile.Read(ref _members))
        {
            member.Send(message);
        }
    }

    /// <summary>Starts the gap wait unless it runs already. Under the lock.</summary>
    private void ArmGapTimer()
    {
        if (_gapTimer is null && !_left)
        {
            _gapTimer = _services.Clock.CreateTimer(
                static state => _ = ((TopicRelay)state!).GapWaitedAsync(), this, _services.GapWait, Timeout.InfiniteTimeSpan);
        }
    }

    private Task GapWaitedAsync()
    {
        lock (_gate)
        {
            _gapTimer?.Dispose();
            _gapTimer = null;
        }

        return CatchUpAsync();
    }

    /// <summary>An event held until the gap before it fills; <see cref="Arrival"/> counts hand-offs (0 for one read from the history).</summary>
    private readonly record struct Waiting(SerializedHubMessage Message, HubEventId Id, long Arrival);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Topic {Topic}: events after {RequestedId} were trimmed from the history before this node delivered them; its subscribers were told, and go on from {OldestRetainedId}.")]
        public static partial void Reset(ILogger logger, string topic, string requestedId, string oldestRetainedId);

        [LoggerMessage(2, LogLevel.Debug, "Topic {Topic}: catching up from the history failed; trying again.")]
        public static partial void CatchUpFailed(ILogger logger, string topic, Exception exception);
    }
}
