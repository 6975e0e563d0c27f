using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Told of each event this node stores, right after it is handed to the backplane. Concurrent publishes
/// to one topic may report out of id order. It runs on the publishing path, so an implementation returns
/// at once and never throws: it is bookkeeping beside the event's path (the dashboard's active topics),
/// not part of it.
/// </summary>
internal interface IPublishObserver
{
    /// <summary>Notes one stored and delivered event.</summary>
    void Published(EventEnvelope envelope);
}
