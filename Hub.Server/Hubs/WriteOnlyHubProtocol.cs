using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace RealtimeHub.Server.Hubs;

/// <summary>
/// A hub protocol that only renders what the hub sends and parses nothing, so a connection that picks
/// it can only listen. The hub's own renderings for the backplane and the SSE shim derive from it.
/// </summary>
internal abstract class WriteOnlyHubProtocol : IHubProtocol
{
    public abstract string Name { get; }

    public int Version => 1;

    public TransferFormat TransferFormat => TransferFormat.Binary;

    public bool IsVersionSupported(int version) => version == Version;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        message = null;
        return false;
    }

    public abstract void WriteMessage(HubMessage message, IBufferWriter<byte> output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        WriteMessage(message, buffer);
        return buffer.WrittenMemory;
    }
}
