using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// One topic's delivery state: its local subscribers, the last id delivered, and the live events held
/// back while a <c>Subscribe</c> call is in flight. Every member but <see cref="HubCalls"/> is used
/// under the client's lock, which is what makes "every event once, in id order" hold.
/// </summary>
internal sealed class TopicFeed(string topic)
{
    private readonly List<Subscriber> _subscribers = [];
    private List<EventEnvelope>? _heldBack;

    public string Topic { get; } = topic;

    /// <summary>One <c>Subscribe</c> or <c>Unsubscribe</c> of this topic at a time, so the hub sees them in order.</summary>
    public SemaphoreSlim HubCalls { get; } = new(1, 1);

    public bool HasSubscribers => _subscribers.Count > 0;

    /// <summary>The connection generation on which the hub has this topic's group joined, or 0.</summary>
    public int JoinedOn { get; set; }

    public HubEventId? LastId { get; private set; }

    /// <summary>The last event delivered: what a second local subscriber sees first, as the topic's current state.</summary>
    public EventEnvelope? LastEvent { get; private set; }

    public void Add(Subscriber subscriber)
    {
        _subscribers.Add(subscriber);
        if (LastEvent is not null)
        {
            subscriber.Post(LastEvent);
        }
    }

    /// <summary>Forgets a subscriber; false when it was not here (already removed, or ended with the topic).</summary>
    public bool Remove(Subscriber subscriber) => _subscribers.Remove(subscriber);

    /// <summary>Ends every subscriber's queue, with <paramref name="error"/> unless null, and forgets them.</summary>
    public void End(Exception? error)
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Complete(error);
        }

        _subscribers.Clear();
    }

    /// <summary>Starts holding back live events; returns the id to resume after.</summary>
    public string? BeginJoin()
    {
        _heldBack ??= [];
        return LastId?.ToString();
    }

    /// <summary>Delivers what <c>Subscribe</c> returned, then the live events held back meanwhile.</summary>
    public void CompleteJoin(IReadOnlyList<EventEnvelope> replayed, int generation)
    {
        var all = _heldBack is null ? replayed : [.. replayed, .. _heldBack];
        _heldBack = null;
        JoinedOn = generation;

        // Sorted, because a live event can overtake the history read it follows.
        foreach (var (envelope, _) in all
            .Select(e => (Envelope: e, Parsed: HubEventId.TryParse(e.Id, out var id) ? id : (HubEventId?)null))
            .Where(e => e.Parsed is not null)
            .OrderBy(e => e.Parsed!.Value))
        {
            Deliver(envelope);
        }
    }

    /// <summary>Stops holding back: the held events are read again from history by the next join.</summary>
    public void AbandonJoin() => _heldBack = null;

    public void OnLive(EventEnvelope envelope)
    {
        if (_heldBack is not null)
        {
            _heldBack.Add(envelope);
        }
        else
        {
            Deliver(envelope);
        }
    }

    private void Deliver(EventEnvelope envelope)
    {
        if (!HubEventId.TryParse(envelope.Id, out var id) || (LastId is { } last && id <= last))
        {
            return;
        }

        LastId = id;
        LastEvent = envelope;
        foreach (var subscriber in _subscribers)
        {
            subscriber.Post(envelope);
        }
    }
}
