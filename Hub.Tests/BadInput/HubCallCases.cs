using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Hub calls with arguments of the wrong kind, data that is not an object, names given twice, text that
/// is not Unicode, and data nested too deep (docs/contract.md, SignalR hub): each throws a <see cref="HubException"/>,
/// the connection stays usable and nothing is stored. Data nested deep but within the limit is accepted
/// and reaches SSE, JSON and MessagePack readers.
/// </summary>
public abstract class HubCallCases(BadInputNodes nodes)
{
    public static TheoryData<string, string> WrongArguments => new()
    {
        { "a number as the topic", "Failed to invoke 'Subscribe'" },
        { "an array as the topic", "Failed to invoke 'Subscribe'" },
        { "a number as the last event id", "Failed to invoke 'Subscribe'" },
        { "one argument for two", "Failed to invoke 'Subscribe'" },
        { "three arguments for two", "Failed to invoke 'Subscribe'" },
        { "a number as the type", "Failed to invoke 'Publish'" },
        { "no data", "Failed to invoke 'Publish'" },
        { "an unknown method", "Method does not exist" },
    };

    public static TheoryData<string, string> BadData => new()
    {
        { "\"a string\"", "data: The data must be a JSON object, not a string" },
        { "[1,2]", "data: The data must be a JSON object, not an array" },
        { "null", "data: The data must be a JSON object, not null" },
        { "7", "data: The data must be a JSON object, not a number" },
        { """{"stage":"x","stage":"completed"}""", "data.stage: The property appears more than once" },
        { """{"stage":"x","state":{"a":1,"a":2}}""", "data.state.a: The property appears more than once" },
        { """{"stage":"x","message":"\uDBFF"}""", "data.message: The text is not valid Unicode" },
        { """{"stage":"x","lines":["ok","\uDFFF"]}""", "data.lines[1]: The text is not valid Unicode" },
        { """{"stage":"x","\uD800x":1}""", "data: A property name is not valid Unicode" },
    };

    private HubConnection Prober => nodes.Prober;

    [Theory]
    [MemberData(nameof(WrongArguments))]
    public async Task A_call_with_wrong_arguments_throws_a_HubException_and_the_connection_stays_usable(string call, string says)
    {
        var topic = $"batch:{Unique.Id()}";
        var data = JsonSerializer.SerializeToElement(SampleData.BatchProgress(1));
        Task invocation = call switch
        {
            "a number as the topic" => Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), 42, null),
            "an array as the topic" => Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), new[] { topic }, null),
            "a number as the last event id" => Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic, 12345),
            "one argument for two" => Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic),
            "three arguments for two" => Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic, null, "extra"),
            "a number as the type" => Prober.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, 5, data),
            "no data" => Prober.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, EventTypes.BatchProgress),
            _ => Prober.InvokeAsync<string>("PublishEverything", topic),
        };

        var error = await Assert.ThrowsAsync<HubException>(() => invocation);

        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertProberUsableAsync();
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(BadData))]
    public async Task Publish_of_bad_data_throws_a_HubException_naming_the_bad_part_and_stores_nothing(string data, string says)
    {
        var topic = $"batch:{Unique.Id()}";
        var error = await Assert.ThrowsAsync<HubException>(() =>
            Prober.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, EventTypes.BatchProgress, new RawJson(data)));

        Assert.Contains(says, error.Message, StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertProberUsableAsync();
    }

    [Fact]
    public async Task Json_hub_Publish_of_data_nested_70_levels_closes_only_that_connection_and_stores_nothing()
    {
        // SignalR's JSON protocol reads a message at most 64 levels deep; a deeper one cannot be parsed,
        // so SignalR ends that connection. The hub itself goes on serving everyone else.
        var topic = $"batch:{Unique.Id()}";
        await using var sender = await nodes.ConnectAsync(BadTokens.Valid("deep-json", roles: ["publisher"]));
        var closed = ClosedTask(sender);

        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            sender.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, EventTypes.BatchProgress, new RawJson($$"""{"stage":"x","extra":{{Nested(69)}}}""")));

        Assert.Contains("closed the connection", error.Message, StringComparison.Ordinal);
        await Eventually.WithinAsync(closed, "the deep sender's connection to close");
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertProberUsableAsync();
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task MessagePack_hub_Publish_of_data_nested_70_levels_throws_a_HubException_and_stores_nothing()
    {
        var topic = $"batch:{Unique.Id()}";
        await using var sender = await Wire.ConnectAsync(nodes.Node, new Credential(ApiKey: TestTokens.ApiKey), protocol: HubProtocol.MessagePack);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            sender.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, EventTypes.BatchProgress, MessagePackData(69)));

        Assert.Contains("Failed to invoke 'Publish'", error.Message, StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);

        // The same connection, the same shape five levels deep: accepted, so depth was the fault.
        var shallow = Topic.Batch(Unique.Id()).ToString();
        var id = await sender.InvokeAsync<string>(nameof(IProgressHub.Publish), shallow, EventTypes.BatchProgress, MessagePackData(5));
        Assert.False(string.IsNullOrEmpty(id));
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task Data_nested_60_levels_in_the_free_form_bom_payload_is_accepted_and_reaches_every_reader()
    {
        var bom = Unique.Id();
        var topic = $"bom:{bom}";
        var body = $$$"""{"type":"enrichment.progress","data":{"bom_id":"{{{bom}}}","payload":{{{Nested(60)}}}}}""";

        using var response = await Wire.PostAsAdminAsync(nodes.Node, Wire.EventsPath(topic), body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = accepted.RootElement.GetProperty("id").GetString()!;

        foreach (var protocol in new[] { HubProtocol.Json, HubProtocol.MessagePack })
        {
            await using var reader = await Wire.ConnectAsync(nodes.Node, new Credential(ApiKey: TestTokens.ApiKey), protocol: protocol);
            var replayed = await reader.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic, "0-1");
            Assert.Equal(id, Assert.Single(replayed).Id);
            Assert.Equal(60, Depth(Assert.Single(replayed).Data.GetProperty("payload")));
        }

        await using var stream = await SseTestClient.OpenAsync(nodes.Node, $"/api/sse?topic={topic}&lastEventId=0-1&access_token={BadTokens.Valid("sse-reader", roles: ["admin"])}");
        var frame = await stream.NextAsync();
        using var envelope = JsonDocument.Parse(frame.Data, new JsonDocumentOptions { MaxDepth = 128 });
        Assert.Equal(id, envelope.RootElement.GetProperty("id").GetString());
        Assert.Equal(60, Depth(envelope.RootElement.GetProperty("data").GetProperty("payload")));
    }

    private static Task<bool> ClosedTask(HubConnection connection)
    {
        var closed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult(true);
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    private static Dictionary<string, object> MessagePackData(int levels)
    {
        object extra = 1;
        for (var i = 0; i < levels; i++)
        {
            extra = new Dictionary<string, object> { ["a"] = extra };
        }

        return new Dictionary<string, object> { ["stage"] = "x", ["extra"] = extra };
    }

    private static string Nested(int levels) =>
        string.Concat(Enumerable.Repeat("""{"a":""", levels)) + "1" + new string('}', levels);

    private static int Depth(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? 1 + Depth(element.GetProperty("a")) : 0;
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class HubCallsOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : HubCallCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class HubCallsOnRedis(RedisBadInputNodes nodes) : HubCallCases(nodes);
