namespace RealtimeHub.Server.Bridge;

/// <summary>The bridge's log messages. Repeated failures are logged once (per kind, per outage), then only counted.</summary>
internal static partial class BridgeLog
{
    [LoggerMessage(1, LogLevel.Information, "Redis bridge ingesting {Channel}.")]
    public static partial void Subscribed(ILogger logger, string channel);

    [LoggerMessage(2, LogLevel.Warning, "Redis bridge cannot subscribe to {Channel} yet ({Reason}); retrying every {Delay}.")]
    public static partial void CannotSubscribe(ILogger logger, string channel, string reason, TimeSpan delay);

    [LoggerMessage(3, LogLevel.Warning, "Redis bridge rejected a message on '{Channel}' as {Kind}: {Detail} Later rejections of this kind on this node are only counted (realtimehub.bridge.rejected).")]
    public static partial void Rejected(ILogger logger, string channel, string kind, string detail);

    [LoggerMessage(4, LogLevel.Warning, "Redis bridge cannot store messages ({Reason}); this node drops what arrives until the store answers again, other nodes may still store it.")]
    public static partial void StoreUnavailable(ILogger logger, string reason);

    [LoggerMessage(5, LogLevel.Information, "Redis bridge stores messages again.")]
    public static partial void StoreRecovered(ILogger logger);

    [LoggerMessage(6, LogLevel.Warning, "The node that stored bridged event {Id} of {Topic} did not announce its hand-off within {Wait}; moving on, so that event may reach live subscribers out of order.")]
    public static partial void HandOffNotHeard(ILogger logger, string id, string topic, TimeSpan wait);

    [LoggerMessage(7, LogLevel.Error, "Redis bridge failed to handle a message on '{Channel}'; it moves on to the next one.")]
    public static partial void Failed(ILogger logger, string channel, Exception exception);
}
