using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.History;

/// <summary>
/// The outcome of appending one event: its id, and the stored envelope unless the idempotency key
/// had been used before (then nothing new was stored and nothing must be delivered).
/// </summary>
internal sealed record AppendedEvent(string Id, EventEnvelope? Stored)
{
    public bool WasDuplicate => Stored is null;
}
