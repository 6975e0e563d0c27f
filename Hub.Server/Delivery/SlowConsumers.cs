using RealtimeHub.Server.Metrics;

namespace RealtimeHub.Server.Delivery;

/// <summary>Makes each slow-consumer cut-off visible: one count in the metrics and one log line.</summary>
internal sealed partial class SlowConsumers(HubMetrics metrics, ILogger<SlowConsumers> logger)
{
    /// <summary>Reports that connection <paramref name="connectionId"/> was closed with <paramref name="pendingBytes"/> unsent.</summary>
    public void CutOff(string connectionId, string transport, long pendingBytes, long limit)
    {
        metrics.SlowConsumerClosed(transport);
        LogCutOff(logger, connectionId, transport, pendingBytes, limit);
    }

    [LoggerMessage(1, LogLevel.Information,
        "Connection {ConnectionId} ({Transport}) cut off as a slow consumer: {PendingBytes} bytes were waiting for it, more than the {Limit} allowed; its client resumes from its last id.")]
    private static partial void LogCutOff(ILogger logger, string connectionId, string transport, long pendingBytes, long limit);
}
