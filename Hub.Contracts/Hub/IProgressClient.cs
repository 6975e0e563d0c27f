using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Contracts.Hub;

/// <summary>What the hub calls on its clients (docs/contract.md, SignalR hub).</summary>
public interface IProgressClient
{
    /// <summary>An event of a subscribed topic.</summary>
    Task OnEvent(EventEnvelope envelope);

    /// <summary>
    /// Sent before <see cref="IProgressHub.Subscribe"/> returns when the requested id is older than the
    /// retained history: the returned events start at the oldest retained one, so some were skipped.
    /// </summary>
    Task OnHistoryReset(HistoryReset reset);
}
