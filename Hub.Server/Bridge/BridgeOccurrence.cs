using System.Globalization;

namespace RealtimeHub.Server.Bridge;

/// <summary>The <paramref name="Number"/>-th sighting, on this node, of the message whose hash is <paramref name="Hash"/>.</summary>
/// <param name="Hash">The hex SHA-256 of the channel, a line feed and the payload.</param>
/// <param name="Number">How many times this node has seen that message within the dedup window, this one included.</param>
internal readonly record struct BridgeOccurrence(string Hash, long Number)
{
    /// <summary>The idempotency key every node uses for this sighting.</summary>
    public string IdempotencyKey => string.Create(CultureInfo.InvariantCulture, $"bridge:{Hash}:{Number}");
}
