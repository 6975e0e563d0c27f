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

    /// <summary>
    /// Takes a slot for <paramref name="user"/>, to be given back once with <see cref="Release(ClaimsPrincipal)"/>
    /// when the connection ends; false when over the limit. Anonymous callers always get one.
    /// </summary>
    public bool TryTake(ClaimsPrincipal user) => Key(user) is not { } key || TryTake(key);

    /// <summary>Gives back a slot taken with <see cref="TryTake(ClaimsPrincipal)"/>.</summary>
    public void Release(ClaimsPrincipal user)
    {
        if (Key(user) is { } key)
        {
            Release(key);
        }
    }

    private static string? Key(ClaimsPrincipal user) => user.FindFirst("sub")?.Value;

    private bool TryTake(string key)
    {
        var limit = options.Value.MaxConnectionsPerUser;
        while (true)
        {
            var current = _open.GetOrAdd(key, 0);
            if (current >= limit)
            {
                return false;
            }

            if (_open.TryUpdate(key, current + 1, current))
            {
                return true;
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
}
