using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Serialises store-then-deliver per topic on this node, so live delivery leaves a node in id order.
/// A fixed set of stripes keeps memory flat however many topics there are; several stripes are
/// always taken in ascending order, so batches cannot deadlock.
/// </summary>
internal sealed class TopicLocks
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    public async Task<IDisposable> AcquireAsync(IEnumerable<Topic> topics, CancellationToken cancellationToken)
    {
        var indexes = topics
            .Select(t => (int)((uint)StringComparer.Ordinal.GetHashCode(t.ToString()) % (uint)_stripes.Length))
            .Distinct()
            .Order()
            .ToArray();
        var held = new List<SemaphoreSlim>(indexes.Length);
        try
        {
            foreach (var index in indexes)
            {
                await _stripes[index].WaitAsync(cancellationToken);
                held.Add(_stripes[index]);
            }
        }
        catch
        {
            Release(held);
            throw;
        }

        return new Releaser(held);
    }

    private static void Release(List<SemaphoreSlim> held)
    {
        for (var i = held.Count - 1; i >= 0; i--)
        {
            held[i].Release();
        }
    }

    private sealed class Releaser(List<SemaphoreSlim> held) : IDisposable
    {
        public void Dispose() => Release(held);
    }
}
