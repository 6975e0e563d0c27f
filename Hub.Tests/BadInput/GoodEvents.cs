using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>A valid event for each topic family, so a case's only fault is the one it is about.</summary>
public static class GoodEvents
{
    /// <summary>A valid type and data for <paramref name="topic"/>'s family.</summary>
    public static (string Type, object Data) For(string topic) => Topic.Parse(topic).Family switch
    {
        TopicFamily.Merchant => (EventTypes.MerchantProgress, SampleData.MerchantProgress(5)),
        TopicFamily.Bom => (EventTypes.EnrichmentProgress, SampleData.BomProgress("b-1", 5)),
        _ => (EventTypes.BatchProgress, SampleData.BatchProgress(5)),
    };
}
