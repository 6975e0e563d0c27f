using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Server.Hubs;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// The hub protocol of the SSE shim's connections. It must stay registered (and so in the hub's
/// supported protocols): the Redis backplane serialises a group message on the publishing node once per
/// supported protocol, and a node without this one's bytes could not write to its SSE connections.
/// It renders <c>OnEvent(envelope)</c> and <c>OnHistoryReset(reset)</c> as an <see cref="SseRecord"/>; the route turns records into
/// frames. It parses nothing, so a SignalR client that picks it can only listen.
/// </summary>
internal sealed class SseHubProtocol : WriteOnlyHubProtocol
{
    public const string ProtocolName = "realtimehub-sse";

    private static readonly JsonSerializerOptions EnvelopeJson = new(JsonSerializerDefaults.Web);

    public override string Name => ProtocolName;

    public override void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        // Only events and history resets reach SSE connections; pings, closes and other calls have no SSE form.
        switch (message)
        {
            case InvocationMessage { Target: nameof(IProgressClient.OnEvent), Arguments: [EventEnvelope envelope] }:
                SseRecord.From(envelope, EnvelopeJson).WriteTo(output);
                break;
            case InvocationMessage { Target: nameof(IProgressClient.OnHistoryReset), Arguments: [HistoryReset reset] }:
                SseRecord.From(reset, EnvelopeJson).WriteTo(output);
                break;
        }
    }

    /// <summary>The same rendering for events replayed from history, so replay and live frames are identical.</summary>
    public static SseRecord Render(EventEnvelope envelope) => SseRecord.From(envelope, EnvelopeJson);

    /// <summary>The same rendering for a reset found when a stream resumes.</summary>
    public static SseRecord Render(HistoryReset reset) => SseRecord.From(reset, EnvelopeJson);
}
