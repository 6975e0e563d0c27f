using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// An event stored in the history whose hand-off to the backplane fails is still accepted (202) and
/// reaches every subscriber on every node live, in order, and is stored once: retried by its node, or
/// read from the history by the nodes that see the gap it leaves.
/// </summary>
public sealed class LostHandOffTests : IAsyncLifetime
{
    private SeamNodes _nodes = null!;

    private FailingHandOffs Seam => _nodes.Seam;

    private HubNode Publisher => _nodes.Publisher;

    private HubNode Other => _nodes.Other;

    public async Task InitializeAsync() => _nodes = await SeamNodes.StartAsync();

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_refused_hand_off_of_the_last_event_is_retried_until_every_node_delivers_it()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var subscribers = await LiveSubscribers.StartAsync(topic, Publisher, Other);
        Seam.Refuse(topic, seq: 3, times: 3);

        var ids = await Publisher.PublishBatchProgressAsync(topic, 3);

        await subscribers.AssertReceiveAsync(ids);
        Assert.Equal(ids, (await Other.ReadAllAsync(topic)).Select(e => e.Id));
    }

    [Fact]
    public async Task A_hand_off_that_never_happens_is_filled_from_the_history_by_every_node_in_order()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var subscribers = await LiveSubscribers.StartAsync(topic, Publisher, Other);
        Seam.Refuse(topic, seq: 2, times: int.MaxValue);
        using var otherMetrics = new NodeMetrics(Other);

        var ids = await Publisher.PublishBatchProgressAsync(topic, 4);

        await subscribers.AssertReceiveAsync(ids);
        Assert.Equal(1, otherMetrics.Sum("realtimehub.gaps", ("outcome", "filled")));
        Assert.Equal(0, otherMetrics.Sum("realtimehub.gaps", ("outcome", "lost")));
        Assert.Equal(ids, (await Other.ReadAllAsync(topic)).Select(e => e.Id));
    }
}
