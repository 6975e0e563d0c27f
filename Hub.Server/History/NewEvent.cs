using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.History;

/// <summary>
/// A validated event waiting for its id: the data is already final JSON text. Its idempotency key is
/// remembered for <see cref="IdempotencyKeyLifetime"/>, or for the history retention when that is null.
/// <see cref="TraceParent"/>, the publish's W3C trace context, is stored beside the event for its deliveries to link to.
/// </summary>
internal sealed record NewEvent(
    Topic Topic, string Type, string DataJson, DateTimeOffset Timestamp, string? IdempotencyKey, TimeSpan? IdempotencyKeyLifetime = null)
{
    public string? TraceParent { get; init; }

    /// <summary>
    /// Whether a duplicate's outcome carries the event stored first under the key
    /// (<see cref="AppendedEvent.Original"/>), for a retry to hand on again. False on the bridge, where every
    /// node's append of a message but one is a duplicate by design and reading the original back would be
    /// wasted work per message.
    /// </summary>
    public bool WantsOriginal { get; init; } = true;
}
