using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.History;

/// <summary>
/// The outcome of appending one event: its id, and the stored envelope unless the idempotency key
/// had been used before (then nothing new was stored, and <see cref="Original"/> holds the event stored
/// under the key, for as long as the history still holds it).
/// </summary>
internal sealed record AppendedEvent(string Id, EventEnvelope? Stored)
{
    public bool WasDuplicate => Stored is null;

    /// <summary>
    /// For a duplicate, the envelope stored first under the idempotency key, exactly as stored (its own
    /// sequence number, timestamp and trace context); null for an event this append stored, or once the
    /// history has trimmed it.
    /// </summary>
    public EventEnvelope? Original { get; init; }
}
