using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.History;

/// <summary>
/// Events read from a topic's history. <see cref="Truncated"/> says that events after the requested
/// id were trimmed, so the list starts at <see cref="OldestRetainedId"/> rather than right after it.
/// </summary>
internal sealed record HistoryRead(IReadOnlyList<EventEnvelope> Events, bool Truncated, string? OldestRetainedId)
{
    public static readonly HistoryRead Empty = new([], false, null);
}
