namespace RealtimeHub.Server.Redis;

/// <summary>
/// Redis cannot be reached, so the part of the hub that keeps its data there (the history store, the
/// backplane, topic owners, job clocks or active topics, named in the message) cannot answer; nothing was stored.
/// </summary>
public sealed class RedisUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How long a caller should wait before retrying.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);
}
