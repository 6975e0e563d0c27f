using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.Delivery;

/// <summary>Settings of delivery to every connection, whatever its transport (section <c>Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Delivery";

    /// <summary>The section that held <see cref="MaxBufferedBytes"/> before it applied to every transport; still read as its alias.</summary>
    public const string LegacySection = "Sse";

    /// <summary>
    /// Bytes that may wait for one connection (WebSocket, SignalR's server-sent events or long polling,
    /// an SSE route) before it is cut off as a slow consumer (1 MiB).
    /// </summary>
    [Range(4096, 64L * 1024 * 1024, ErrorMessage = "Delivery:MaxBufferedBytes must be between 4096 and 67108864.")]
    public long MaxBufferedBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a node waits for a missing event of a topic to arrive through the backplane before it
    /// reads it from the history (500 ms). Later events of the topic wait for it meanwhile.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Delivery:GapWait must be between 10 ms and 1 minute.")]
    public TimeSpan GapWait { get; set; } = TimeSpan.FromMilliseconds(500);
}
