using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// One topic's delivery state: its local subscribers, the id to resume after, the connection its group is
/// joined on, and the live events held back while a <c>Subscribe</c> call is in flight. It guards its
/// state with a lock of its own, which is what makes "every event once, in id order" hold; it calls nothing
/// but its subscribers' queues.
/// </summary>
internal sealed class TopicFeed(string topic)
{
    private readonly Lock _sync = new();
    private readonly List<Subscriber> _subscribers = [];
    private List<EventEnvelope>? _heldBack;
    private int _joining;
    private int _joinedOn;

    // Where the next join resumes: the last id delivered, or 0-0 once a fresh join found the topic empty.
    private HubEventId? _lastId;
    private EventEnvelope? _lastEvent;

    public string Topic { get; } = topic;

    /// <summary>One <c>Subscribe</c> or <c>Unsubscribe</c> of this topic at a time, so the hub sees them in order.</summary>
    public SemaphoreSlim HubCalls { get; } = new(1, 1);

    public bool HasSubscribers
    {
        get
        {
            lock (_sync)
            {
                return _subscribers.Count > 0;
            }
        }
    }

    /// <summary>Adds a subscriber; it first gets the last event delivered, as the topic's current state.</summary>
    public void Add(Subscriber subscriber)
    {
        lock (_sync)
        {
            _subscribers.Add(subscriber);
            if (_lastEvent is not null)
            {
                subscriber.Post(_lastEvent);
            }
        }
    }

    /// <summary>Ends a subscriber's queue and forgets it; true when it was the topic's last one.</summary>
    public bool Remove(Subscriber subscriber)
    {
        lock (_sync)
        {
            subscriber.Complete();
            return _subscribers.Remove(subscriber) && _subscribers.Count == 0;
        }
    }

    /// <summary>Ends every subscriber's queue, with <paramref name="error"/> unless null, and forgets them.</summary>
    public void End(Exception? error)
    {
        lock (_sync)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Complete(error);
            }

            _subscribers.Clear();
            StopHoldingBack();
        }
    }

    /// <summary>
    /// Starts a join on connection <paramref name="generation"/>, holding back its live events until
    /// <see cref="CompleteJoin"/>; false when the topic is joined there already or nobody follows it.
    /// </summary>
    /// <param name="generation">The connection.</param>
    /// <param name="after">The id to resume after.</param>
    public bool TryBeginJoin(int generation, out string? after)
    {
        lock (_sync)
        {
            after = _lastId?.ToString();
            if (_joinedOn == generation || _subscribers.Count == 0)
            {
                return false;
            }

            _joining = generation;
            _heldBack = [];
            return true;
        }
    }

    /// <summary>Delivers what <c>Subscribe</c> returned, then the live events held back meanwhile.</summary>
    public void CompleteJoin(IReadOnlyList<EventEnvelope> replayed, int generation)
    {
        lock (_sync)
        {
            var all = _heldBack is null ? replayed : [.. replayed, .. _heldBack];
            StopHoldingBack();
            _joinedOn = generation;

            // Sorted, because a live event can overtake the history read it follows.
            foreach (var (envelope, _) in all
                .Select(e => (Envelope: e, Parsed: HubEventId.TryParse(e.Id, out var id) ? id : (HubEventId?)null))
                .Where(e => e.Parsed is not null)
                .OrderBy(e => e.Parsed!.Value))
            {
                Deliver(envelope);
            }

            // Still no id and nothing returned: a fresh join that found the topic empty. The hub joined the
            // group before reading, so every later event either comes live on this connection or, if it drops
            // first, is replayed from the start by the next join; without an id that join would get only the
            // latest event. Only the resume position moves: no event is delivered, so LastEventId stays null.
            if (_lastId is null && replayed.Count == 0)
            {
                _lastId = HubEventId.Beginning;
            }
        }
    }

    /// <summary>Stops holding back: the held events are read again from history by the next join.</summary>
    public void AbandonJoin()
    {
        lock (_sync)
        {
            StopHoldingBack();
        }
    }

    /// <summary>Abandons the join when everyone left while it waited; true then.</summary>
    public bool AbandonJoinIfUnfollowed()
    {
        lock (_sync)
        {
            if (_subscribers.Count > 0)
            {
                return false;
            }

            StopHoldingBack();
            return true;
        }
    }

    /// <summary>
    /// Marks the topic left unless a subscriber came back; false then. <paramref name="unsubscribe"/> tells
    /// whether its group is joined on connection <paramref name="current"/> (0: none), where the hub must leave it.
    /// </summary>
    public bool TryLeave(int current, out bool unsubscribe)
    {
        lock (_sync)
        {
            unsubscribe = false;
            if (_subscribers.Count > 0)
            {
                return false;
            }

            unsubscribe = current != 0 && _joinedOn == current;
            _joinedOn = 0;
            return true;
        }
    }

    /// <summary>
    /// Takes a live event of connection <paramref name="generation"/>: held back while that connection's
    /// join is in flight, delivered once the topic is joined there, dropped from any other connection
    /// (the next join replays after the last id delivered).
    /// </summary>
    public void OnLive(int generation, EventEnvelope envelope)
    {
        lock (_sync)
        {
            if (_heldBack is not null)
            {
                if (_joining == generation)
                {
                    _heldBack.Add(envelope);
                }
            }
            else if (_joinedOn == generation)
            {
                Deliver(envelope);
            }
        }
    }

    private void StopHoldingBack()
    {
        _heldBack = null;
        _joining = 0;
    }

    private void Deliver(EventEnvelope envelope)
    {
        if (!HubEventId.TryParse(envelope.Id, out var id) || (_lastId is { } last && id <= last))
        {
            return;
        }

        _lastId = id;
        _lastEvent = envelope;
        foreach (var subscriber in _subscribers)
        {
            subscriber.Post(envelope);
        }
    }
}
