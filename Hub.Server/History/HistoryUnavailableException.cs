namespace RealtimeHub.Server.History;

/// <summary>The history store (or the backplane beside it) cannot be reached; nothing was stored.</summary>
public sealed class HistoryUnavailableException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How long a caller should wait before retrying.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);
}
