using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace RealtimeHub.Server.Bridge;

/// <summary>
/// The bridge's de-duplication: every node ingests every message, and only the first append under the
/// message's idempotency key stores it. This derives that key, the same on every node:
/// <c>bridge:{sha256(channel + "\n" + payload)}:{n}</c>, where n counts this exact message on this
/// node within <see cref="BridgeOptions.DedupWindow"/>. Every node sees a channel's messages in the
/// same order, so the n-th copy of a message is the same event everywhere, while two identical
/// messages in a row stay two events.
/// </summary>
internal sealed class BridgeDeduplication(IOptions<BridgeOptions> options) : IDisposable
{
    private readonly MemoryCache _counts = new(new MemoryCacheOptions());

    /// <summary>Counts one more sighting of <paramref name="payload"/> on <paramref name="channel"/>.</summary>
    public BridgeOccurrence Next(ReadOnlySpan<byte> channel, ReadOnlySpan<byte> payload)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(channel);
        sha.AppendData("\n"u8);
        sha.AppendData(payload);
        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        var count = _counts.GetOrCreate(hash, entry =>
        {
            entry.SlidingExpiration = options.Value.DedupWindow;
            return new Count();
        })!;
        return new BridgeOccurrence(hash, Interlocked.Increment(ref count.Value));
    }

    /// <summary>
    /// Restarts the window once the message's append has returned. Its key was set by the first append
    /// of it on any node, which Redis ran before this one returned, so by the time this node's count
    /// falls back to 1 every key of the run has expired and a new message is never taken for an old one.
    /// </summary>
    public void Settled(BridgeOccurrence occurrence) => _counts.TryGetValue(occurrence.Hash, out _);

    public void Dispose() => _counts.Dispose();

    private sealed class Count
    {
        public long Value;
    }
}
