using Microsoft.Extensions.Logging;

namespace RealtimeHub.Client.Internal;

/// <summary>The client's log messages, with stable event ids.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Information, "Connected to {Hub}.")]
    public static partial void Connected(ILogger logger, Uri hub);

    [LoggerMessage(2, LogLevel.Warning, "Lost the connection to {Hub}; reconnecting.")]
    public static partial void ConnectionLost(ILogger logger, Uri hub, Exception? error);

    [LoggerMessage(3, LogLevel.Debug, "Could not connect to {Hub}; retrying in {Delay}.")]
    public static partial void ConnectFailed(ILogger logger, Uri hub, TimeSpan delay, Exception error);

    [LoggerMessage(4, LogLevel.Error, "Gave up reconnecting: the reconnect policy returned no further delay.")]
    public static partial void GaveUp(ILogger logger, Exception error);

    [LoggerMessage(5, LogLevel.Debug, "Subscribe to {Topic} failed for now; retrying in {Delay}.")]
    public static partial void SubscribeRetry(ILogger logger, string topic, TimeSpan delay, Exception error);

    [LoggerMessage(6, LogLevel.Error, "The hub refused topic {Topic}; its subscriptions end.")]
    public static partial void SubscribeRefused(ILogger logger, string topic, Exception error);

    [LoggerMessage(7, LogLevel.Warning, "Topic {Topic}: asked to resume after {RequestedId}, but the oldest retained event is {OldestRetainedId}; events between were skipped.")]
    public static partial void HistoryReset(ILogger logger, string topic, string requestedId, string? oldestRetainedId);

    [LoggerMessage(8, LogLevel.Error, "A handler of topic {Topic} failed on event {EventId}.")]
    public static partial void HandlerFailed(ILogger logger, string topic, string eventId, Exception error);

    [LoggerMessage(9, LogLevel.Debug, "Unsubscribe from {Topic} failed; the connection is going away.")]
    public static partial void UnsubscribeFailed(ILogger logger, string topic, Exception error);

    [LoggerMessage(10, LogLevel.Warning, "Publish attempt {Attempt} failed ({Reason}); retrying in {Delay}.")]
    public static partial void PublishRetry(ILogger logger, int attempt, string reason, TimeSpan delay, Exception? error);
}
