using System.Buffers;
using System.Globalization;
using System.Text.Json;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// What distinguishes the SSE routes (docs/contract.md, Server-sent events): their frames, heartbeat, greeting and ending.
/// Everything else (registration as a hub connection, resume, buffering) is shared by <see cref="SseStream"/>.
/// </summary>
internal abstract class SseFormat
{
    /// <summary>The route's name in metrics and logs.</summary>
    public abstract string Name { get; }

    /// <summary>How long the stream may stay silent before a comment heartbeat.</summary>
    public abstract TimeSpan Heartbeat(SseOptions options);

    /// <summary>True when a terminal event ends the stream (bom and batch).</summary>
    public virtual bool EndsOnTerminal => false;

    /// <summary>True when a connect without a last id first gets the topic's latest event.</summary>
    public virtual bool LatestWhenFresh => true;

    /// <summary>Writes the greeting sent after <c>retry:</c>, if the route has one.</summary>
    public virtual void WriteConnected(IBufferWriter<byte> output, Topic topic, TimeProvider clock)
    {
    }

    /// <summary>Writes one event; <paramref name="id"/> is its <c>id:</c> value.</summary>
    public abstract void WriteEvent(IBufferWriter<byte> output, in SseRecord record, string id);

    /// <summary>Writes what precedes closing after a terminal event, if anything.</summary>
    public virtual void WriteEnd(IBufferWriter<byte> output, in SseRecord terminal)
    {
    }
}

/// <summary><c>/api/sse</c>: named frames carrying the whole envelope; never ends.</summary>
internal sealed class EnvelopeFormat : SseFormat
{
    public static readonly EnvelopeFormat Instance = new();

    public override string Name => "sse";

    public override TimeSpan Heartbeat(SseOptions options) => options.Heartbeat;

    public override void WriteEvent(IBufferWriter<byte> output, in SseRecord record, string id) =>
        SseFrameWriter.Event(output, id, record.Type, record.EnvelopeJson.Span);
}

/// <summary>The PO sync merchant stream: a <c>connected</c> data frame, then named frames of the data with its type.</summary>
internal sealed class MerchantFormat : SseFormat
{
    public static readonly MerchantFormat Instance = new();

    public override string Name => "merchant";

    public override TimeSpan Heartbeat(SseOptions options) => options.Heartbeat;

    // A merchant stream is a feed of workflow events, not a state: a new watcher starts from now.
    public override bool LatestWhenFresh => false;

    public override void WriteConnected(IBufferWriter<byte> output, Topic topic, TimeProvider clock) =>
        SseFrameWriter.Event(output, null, null, JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "connected",
            timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        }));

    public override void WriteEvent(IBufferWriter<byte> output, in SseRecord record, string id) =>
        SseFrameWriter.Event(output, id, record.Type, record.DataJson.Span);
}

/// <summary>
/// The BOM enrichment stream: <c>event: connected</c>, the enrichment envelope under its type, each progress also as
/// <c>progress</c> (the portal's listener), and <c>stream_end</c> after a terminal event.
/// </summary>
internal sealed class EnrichmentFormat : SseFormat
{
    public static readonly EnrichmentFormat Instance = new();

    public override string Name => "enrichment";

    public override TimeSpan Heartbeat(SseOptions options) => options.EnrichmentHeartbeat;

    public override bool EndsOnTerminal => true;

    public override void WriteConnected(IBufferWriter<byte> output, Topic topic, TimeProvider clock) =>
        SseFrameWriter.Event(output, null, "connected", JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "connected",
            bom_id = topic.Id,
            message = "Stream connected",
        }));

    public override void WriteEvent(IBufferWriter<byte> output, in SseRecord record, string id)
    {
        SseFrameWriter.Event(output, id, record.Type, record.DataJson.Span);
        if (record.Type == EventTypes.EnrichmentProgress)
        {
            SseFrameWriter.Event(output, id, "progress", record.DataJson.Span);
        }
    }

    public override void WriteEnd(IBufferWriter<byte> output, in SseRecord terminal) =>
        SseFrameWriter.Event(output, null, "stream_end", JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "stream_end",
            reason = terminal.Type,
        }));
}

/// <summary>The OMR batch stream: unnamed data frames (they fire <c>onmessage</c>); ends after completed or failed.</summary>
internal sealed class BatchFormat : SseFormat
{
    public static readonly BatchFormat Instance = new();

    public override string Name => "batch";

    public override TimeSpan Heartbeat(SseOptions options) => options.Heartbeat;

    public override bool EndsOnTerminal => true;

    public override void WriteEvent(IBufferWriter<byte> output, in SseRecord record, string id) =>
        SseFrameWriter.Event(output, id, null, record.DataJson.Span);
}
