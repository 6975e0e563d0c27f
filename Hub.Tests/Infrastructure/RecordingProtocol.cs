using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// Wraps a client's real hub protocol and notes every message in the order it came off the wire. The
/// .NET client runs <c>On</c> handlers on a loop of their own, so only the wire shows whether the hub
/// sent a message before it completed an invocation.
/// </summary>
internal sealed class RecordingProtocol(IHubProtocol inner) : IHubProtocol
{
    /// <summary>What a completion of any invocation is noted as.</summary>
    public const string Completion = "(completion)";

    private readonly ConcurrentQueue<string> _arrivals = new();

    /// <summary>Invocation targets, and <see cref="Completion"/> for completions, in arrival order.</summary>
    public IReadOnlyList<string> Arrivals => [.. _arrivals];

    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            return false;
        }

        switch (message)
        {
            case InvocationMessage invocation:
                _arrivals.Enqueue(invocation.Target);
                break;
            case CompletionMessage:
                _arrivals.Enqueue(Completion);
                break;
        }

        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);
}
