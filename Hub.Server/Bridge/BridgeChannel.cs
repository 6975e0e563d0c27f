using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Bridge;

/// <summary>
/// Where a message on one of the products' channels goes (docs/contract.md, Redis channels): its topic, and its event
/// type when the channel fixes it. The one place that maps the products' channel names to topics.
/// </summary>
/// <param name="Topic">The hub topic the message is published to.</param>
/// <param name="Type">The event type, or null on an enrichment channel, whose payload names it in <c>event_type</c>.</param>
internal readonly record struct BridgeChannel(Topic Topic, string? Type)
{
    /// <summary>
    /// Maps <c>merchant:{id}:progress|stage|completion|error</c>, <c>enrichment:{bomId}</c> and
    /// <c>batch:{batchId}:progress</c>; any other shape, or an id the hub would refuse, is not a bridge channel.
    /// </summary>
    public static bool TryParse(string? channel, out BridgeChannel parsed)
    {
        parsed = default;
        switch (channel?.Split(':'))
        {
            case ["merchant", var id, var suffix] when IsId(id) && EventTypes.For(TopicFamily.Merchant).Contains(suffix):
                parsed = new(Topic.Merchant(id), suffix);
                return true;
            case ["enrichment", var id] when IsId(id):
                parsed = new(Topic.Bom(id), null);
                return true;
            case ["batch", var id, "progress"] when IsId(id):
                parsed = new(Topic.Batch(id), EventTypes.BatchProgress);
                return true;
            default:
                return false;
        }
    }

    private static bool IsId(string id) => Topic.TryValidateId(id, out _);
}
