using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace RealtimeHub.Server.Limits;

/// <summary>
/// Counts the open connections of each authenticated user on this node and refuses one past
/// <see cref="LimitsOptions.MaxConnectionsPerUser"/>. Anonymous callers (auth off) are not counted.
/// </summary>
internal sealed class ConnectionQuota(IOptions<LimitsOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    /// <summary>Takes a slot for <paramref name="user"/>; returns the release to call on disconnect, or null when over the limit.</summary>
    public IDisposable? TryAcquire(ClaimsPrincipal user)
    {
        var key = user.FindFirst("sub")?.Value;
        if (key is null)
        {
            return Slot.None;
        }

        var limit = options.Value.MaxConnectionsPerUser;
        while (true)
        {
            var current = _open.GetOrAdd(key, 0);
            if (current >= limit)
            {
                return null;
            }

            if (_open.TryUpdate(key, current + 1, current))
            {
                return new Slot(this, key);
            }
        }
    }

    private void Release(string key)
    {
        while (true)
        {
            var current = _open[key];
            if (current <= 1 ? _open.TryRemove(new KeyValuePair<string, int>(key, current)) : _open.TryUpdate(key, current - 1, current))
            {
                return;
            }
        }
    }

    private sealed class Slot(ConnectionQuota? quota, string key) : IDisposable
    {
        public static readonly Slot None = new(null, string.Empty);

        private int _released;

        public void Dispose()
        {
            if (quota is not null && Interlocked.Exchange(ref _released, 1) == 0)
            {
                quota.Release(key);
            }
        }
    }
}
