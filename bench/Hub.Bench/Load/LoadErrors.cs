using System.Collections.Concurrent;

namespace RealtimeHub.Bench.Load;

/// <summary>What went wrong during a run, by category, and connections the server ended on its own.</summary>
internal sealed class LoadErrors
{
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private long _closedByServer;

    /// <summary>Connections that ended without the bench dropping them.</summary>
    public long ClosedByServer => Interlocked.Read(ref _closedByServer);

    /// <summary>Errors by category.</summary>
    public IReadOnlyDictionary<string, int> ByCategory => _errors.ToDictionary();

    public int Total => _errors.Values.Sum();

    public void Add(string category) => _errors.AddOrUpdate(category, 1, (_, n) => n + 1);

    public void Closed() => Interlocked.Increment(ref _closedByServer);
}
