using System.Collections.Concurrent;

namespace RealtimeHub.Server.Hubs;

/// <summary>
/// Every connection this node holds, hub connections and SSE streams alike, with a way to close it.
/// Used when the node may have missed backplane messages: closing makes each client resume from its
/// last id through the join-then-read routine, which is gapless.
/// </summary>
internal sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, Action> _close = new(StringComparer.Ordinal);

    public int Count => _close.Count;

    public void Add(string connectionId, Action close) => _close[connectionId] = close;

    public void Remove(string connectionId) => _close.TryRemove(connectionId, out _);

    /// <summary>Closes every connection; returns how many were asked to close.</summary>
    public int CloseAll()
    {
        var closed = 0;
        foreach (var (id, close) in _close)
        {
            try
            {
                close();
                closed++;
            }
            catch (ObjectDisposedException)
            {
                // The connection finished closing by itself meanwhile.
            }

            _close.TryRemove(id, out _);
        }

        return closed;
    }
}
