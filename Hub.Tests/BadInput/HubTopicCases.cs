using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Malformed topics in hub calls (docs/contract.md, Topics and SignalR hub): <c>Subscribe</c>, <c>Publish</c> and
/// <c>Unsubscribe</c> throw a <see cref="HubException"/> saying the topic is invalid and naming the bad
/// part; the calling connection stays up and usable, nothing is stored, and others keep being served.
/// </summary>
public abstract class HubTopicCases(BadInputNodes nodes)
{
    public static TheoryData<string> Topics => [.. BadTopics.Names];

    private HubConnection Prober => nodes.Prober;

    [Theory]
    [MemberData(nameof(Topics))]
    public async Task Subscribe_to_a_bad_topic_throws_a_HubException_naming_it(string name)
    {
        var (topic, _, namedPart) = BadTopics.For(name);

        var error = await Assert.ThrowsAsync<HubException>(() => Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic, null));

        AssertNames(error, namedPart);
        await nodes.AssertProberUsableAsync();
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(Topics))]
    public async Task Publish_to_a_bad_topic_throws_a_HubException_naming_it_and_stores_nothing(string name)
    {
        var (topic, near, namedPart) = BadTopics.For(name);
        var (type, data) = GoodEvents.For(near);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            Prober.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, type, JsonSerializer.SerializeToElement(data)));

        AssertNames(error, namedPart);
        await nodes.AssertNothingStoredAsync(near);
        await nodes.AssertProberUsableAsync();
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(Topics))]
    public async Task Unsubscribe_from_a_bad_topic_throws_a_HubException_naming_it(string name)
    {
        var (topic, _, namedPart) = BadTopics.For(name);

        var error = await Assert.ThrowsAsync<HubException>(() => Prober.InvokeAsync(nameof(IProgressHub.Unsubscribe), topic));

        AssertNames(error, namedPart);
        await nodes.AssertProberUsableAsync();
    }

    private static void AssertNames(HubException error, string namedPart)
    {
        Assert.Contains("topic", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(namedPart, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Message, char.IsControl);
    }
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class HubTopicsOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : HubTopicCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class HubTopicsOnRedis(RedisBadInputNodes nodes) : HubTopicCases(nodes);
