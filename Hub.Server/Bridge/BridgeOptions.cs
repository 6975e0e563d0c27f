using System.ComponentModel.DataAnnotations;

namespace RealtimeHub.Server.Bridge;

/// <summary>The Redis bridge (section <c>Bridge</c>): ingests the products' own Redis channels when Redis is configured.</summary>
public sealed class BridgeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Bridge";

    /// <summary>Ingest the products' plain Redis channels (setting <c>Bridge__Enabled</c>); on whenever Redis is configured.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long a node remembers a message it bridged: byte-identical messages on one channel less than
    /// this apart are told apart by their order, and this long every node's copy of one message is
    /// recognised as the same event.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Bridge:DedupWindow must be between 1 second and 1 day, for example 00:02:00.")]
    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromMinutes(2);
}
