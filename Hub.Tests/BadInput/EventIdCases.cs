using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Malformed <c>Last-Event-ID</c> / <c>lastEventId</c> values (docs/contract.md, SignalR hub and Server-sent events): 400 naming
/// <c>Last-Event-ID</c> on SSE, a <see cref="HubException"/> saying it is not an event id on
/// <c>Subscribe</c>; the hub keeps serving everyone else.
/// </summary>
public abstract class EventIdCases(BadInputNodes nodes)
{
    public static TheoryData<string> BadIds =>
    [
        "5-1\r", "\r\n5-1", "5-1\n\ndata: forged", "5-1\0",
        "\u0661\u0667\u0663\u0662-\u0660", "\uFF11\uFF17\uFF13\uFF12-\uFF10", "\u0967-\u0966", "1732300000000-\u0660", "5\u22120",
        "-5-0", "5--1", "-1", "123456789012345678901-0", "1-99999999999999999999",
        "1732300000000-", "1732300000000-0-0", "5-0-",
        " 5-0", "5 -0", "5-0 ", "+5-0", "0x1F-0", "1.5-0", "5_0", "5-0\u200B", "\u221E-0",
    ];

    /// <summary>Composite positions of a two-topic <c>/api/sse</c> stream over <c>bom:{a}</c> and <c>batch:{b}</c>.</summary>
    public static TheoryData<string> BadPositions =>
    [
        "bom:{a}1-0", "queue:1=1-0", "bom:{a}=1-0,", "bom:{a}=", "=1-0", "bom:{a}=1-0=2-0", "bom:{a}=1-0;batch:{b}=1-0",
        "bom:{a}=1-0,batch:{b}=\u0661-\u0660", "bom:{a}=1-0\r\nbatch:{b}=1-0", "bom:{a}\u200B=1-0", "BOM:{a}=1-0", ",", "bom:{a}=-1-0",
    ];

    private HubNode Node => nodes.Node;

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task A_bad_lastEventId_query_on_a_single_topic_stream_gets_400(string lastEventId)
    {
        using var response = await Wire.StreamAsAdminAsync(Node, $"/api/batches/{Unique.Id()}/stream?lastEventId={Uri.EscapeDataString(lastEventId)}");

        await AssertRefusedAsync(response, "is not an event id");
    }

    [Theory]
    [InlineData("-5-0")]
    [InlineData("123456789012345678901-0")]
    [InlineData("+5-0")]
    [InlineData("5-0,6-0")]
    [InlineData("bom:x=5-0")]
    public async Task A_bad_Last_Event_ID_header_gets_400(string lastEventId)
    {
        using var response = await Wire.StreamAsAdminAsync(
            Node, $"/api/enrichment/stream/{Unique.Id()}", request => request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId));

        await AssertRefusedAsync(response, "is not an event id");
    }

    [Theory]
    [MemberData(nameof(BadPositions))]
    public async Task A_bad_composite_position_on_a_several_topic_stream_gets_400(string position)
    {
        var (a, b) = (Unique.Id(), Unique.Id());
        position = position.Replace("{a}", a, StringComparison.Ordinal).Replace("{b}", b, StringComparison.Ordinal);

        using var response = await Wire.StreamAsAdminAsync(Node, $"/api/sse?topic=bom:{a}&topic=batch:{b}&lastEventId={Uri.EscapeDataString(position)}");

        await AssertRefusedAsync(response, "is not a stream position");
    }

    [Fact]
    public async Task A_10_KB_Last_Event_ID_gets_400_and_is_not_echoed_whole()
    {
        var lastEventId = new string('1', 10 * 1024) + "-0";

        using var response = await Wire.StreamAsAdminAsync(
            Node, $"/api/batches/{Unique.Id()}/stream", request => request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId));

        var problem = await AssertRefusedAsync(response, "is not an event id");
        Assert.True(problem.Detail().Length < 1024, $"The detail echoes {problem.Detail().Length} characters.");
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Subscribe_with_a_bad_last_event_id_throws_a_HubException_saying_so(string lastEventId)
    {
        var error = await Assert.ThrowsAsync<HubException>(() =>
            nodes.Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), Topic.Batch(Unique.Id()).ToString(), lastEventId));

        Assert.Contains("is not an event id", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.Message, char.IsControl);
        await nodes.AssertProberUsableAsync();
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task Subscribe_with_a_10_KB_last_event_id_throws_a_HubException_that_does_not_echo_it_whole()
    {
        var error = await Assert.ThrowsAsync<HubException>(() =>
            nodes.Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), Topic.Bom(Unique.Id()).ToString(), new string('9', 10 * 1024) + "-0"));

        Assert.Contains("is not an event id", error.Message, StringComparison.Ordinal);
        Assert.True(error.Message.Length < 1024, $"The message echoes {error.Message.Length} characters.");
        await nodes.AssertProberUsableAsync();
    }

    private async Task<System.Text.Json.JsonElement> AssertRefusedAsync(HttpResponseMessage response, string says)
    {
        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("Last-Event-ID", problem.GetProperty("field").GetString());
        Assert.Contains(says, problem.Detail(), StringComparison.Ordinal);
        Assert.DoesNotContain(problem.Detail(), char.IsControl);
        await nodes.AssertStillServingAsync();
        return problem;
    }
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class EventIdsOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : EventIdCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class EventIdsOnRedis(RedisBadInputNodes nodes) : EventIdCases(nodes);
