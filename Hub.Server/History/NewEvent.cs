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
}
