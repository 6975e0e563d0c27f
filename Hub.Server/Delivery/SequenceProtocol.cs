using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Server.Hubs;

namespace RealtimeHub.Server.Delivery;

/// <summary>
/// A hub protocol no client speaks: it renders <c>OnEvent(envelope)</c> as the event's sequence number
/// and id only. Registered like the others, so the Redis backplane serialises it on the publishing node
/// with every group message, and a receiving node's <see cref="TopicRelay"/> learns where a message
/// belongs in its topic without parsing the event. Other messages render as nothing. It parses nothing.
/// </summary>
internal sealed class SequenceProtocol : WriteOnlyHubProtocol
{
    public const string ProtocolName = "realtimehub-seq";

    public static readonly SequenceProtocol Instance = new();

    public override string Name => ProtocolName;

    public override void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        if (message is InvocationMessage { Target: nameof(IProgressClient.OnEvent), Arguments: [EventEnvelope envelope] })
        {
            var id = envelope.Id;
            var span = output.GetSpan(8 + Encoding.UTF8.GetMaxByteCount(id.Length));
            BinaryPrimitives.WriteInt64LittleEndian(span, envelope.Seq);
            output.Advance(8 + Encoding.UTF8.GetBytes(id, span[8..]));
        }
    }

    /// <summary>Reads a group message's place in its topic; false for a message that is not an event.</summary>
    public static bool TryRead(SerializedHubMessage message, out long seq, out HubEventId id)
    {
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = message.GetSerializedMessage(Instance);
        }
        catch (InvalidOperationException)
        {
            // From a node without this protocol: it cannot be placed, only passed on.
            bytes = default;
        }

        if (bytes.Length <= 8 || !HubEventId.TryParse(Encoding.UTF8.GetString(bytes.Span[8..]), out id))
        {
            seq = 0;
            id = default;
            return false;
        }

        seq = BinaryPrimitives.ReadInt64LittleEndian(bytes.Span);
        return true;
    }
}
