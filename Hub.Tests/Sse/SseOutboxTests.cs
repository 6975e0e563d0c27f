using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Server.Sse;

namespace RealtimeHub.Tests.Sse;

/// <summary>The SSE outbox on its own: what its one reader sees as messages, heartbeats, overflow, cancellation and completion arrive.</summary>
public sealed class SseOutboxTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly SseHubProtocol Protocol = new();

    [Fact]
    public async Task A_waiting_reader_wakes_for_messages_and_reads_them_in_order()
    {
        var outbox = NewOutbox(_ => { });
        var waiting = outbox.WaitToReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        outbox.Write(new byte[] { 1 });
        outbox.Write(new byte[] { 2, 2 });

        Assert.True(await waiting.WaitAsync(Wait));
        Assert.True(outbox.TryRead(out var first));
        Assert.True(outbox.TryRead(out var second));
        Assert.False(outbox.TryRead(out _));
        Assert.Equal([1], first.ToArray());
        Assert.Equal([2, 2], second.ToArray());
    }

    [Fact]
    public async Task Heartbeat_requests_wait_one_at_a_time_as_empty_items()
    {
        var outbox = NewOutbox(_ => { });

        outbox.RequestHeartbeat();
        outbox.RequestHeartbeat();

        Assert.True(await outbox.WaitToReadAsync());
        Assert.True(outbox.TryRead(out var heartbeat));
        Assert.True(heartbeat.IsEmpty);
        Assert.False(outbox.TryRead(out _));

        outbox.HeartbeatTaken();
        outbox.RequestHeartbeat();
        Assert.True(outbox.TryRead(out _));
    }

    [Fact]
    public async Task An_overflow_reports_once_with_the_bytes_waiting_delivers_what_was_queued_then_fails_the_reader()
    {
        var overflows = 0;
        long reported = 0;
        var outbox = NewOutbox(pending =>
        {
            overflows++;
            reported = pending;
        });
        outbox.Write(new byte[3000]);

        outbox.Write(new byte[3000]);
        outbox.Write(new byte[10]);

        Assert.Equal(1, overflows);
        Assert.Equal(6000, reported);
        Assert.True(await outbox.WaitToReadAsync());
        Assert.True(outbox.TryRead(out var queued));
        Assert.Equal(3000, queued.Length);
        await Assert.ThrowsAsync<SseOverflowException>(() => outbox.WaitToReadAsync().AsTask());
    }

    [Fact]
    public async Task Cancelling_ends_a_pending_wait_with_a_cancellation()
    {
        var outbox = NewOutbox(_ => { });
        using var stop = new CancellationTokenSource();
        var waiting = outbox.WaitToReadAsync().AsTask();

        outbox.Cancel(stop.Token);

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Wait));
        Assert.Equal(stop.Token, cancelled.CancellationToken);
    }

    [Fact]
    public async Task Completing_ends_the_reader_and_later_writes_are_dropped_without_overflow()
    {
        var overflows = 0;
        var outbox = NewOutbox(_ => overflows++);
        var waiting = outbox.WaitToReadAsync().AsTask();

        outbox.Complete();
        outbox.Write(new byte[10000]);

        Assert.False(await waiting.WaitAsync(Wait));
        Assert.False(outbox.TryRead(out _));
        Assert.Equal(0, overflows);
    }

    [Fact]
    public async Task A_sent_event_is_queued_as_its_shared_SSE_rendering_and_messages_without_one_are_dropped()
    {
        var outbox = NewOutbox(_ => { });
        var envelope = new EventEnvelope
        {
            Id = "1796107307817-0",
            Topic = "bom:42",
            Type = "progress",
            Timestamp = DateTimeOffset.UnixEpoch,
            Seq = 1,
            Data = JsonDocument.Parse("""{"percent":5}""").RootElement,
        };
        var message = new SerializedHubMessage(new InvocationMessage(nameof(IProgressClient.OnEvent), [envelope]));

        outbox.Send(new SerializedHubMessage(PingMessage.Instance));
        outbox.Send(message);

        Assert.True(await outbox.WaitToReadAsync());
        Assert.True(outbox.TryRead(out var item));
        Assert.False(outbox.TryRead(out _));
        Assert.True(MemoryMarshal.TryGetArray(item, out var queued));
        Assert.True(MemoryMarshal.TryGetArray(message.GetSerializedMessage(Protocol), out var shared));
        Assert.Same(shared.Array, queued.Array);
        var rest = item;
        Assert.True(SseRecord.TryRead(ref rest, out var record));
        Assert.Equal("1796107307817-0", record.Id.ToString());
    }

    [Fact]
    public async Task A_message_from_a_node_without_the_SSE_protocol_ends_the_stream_so_its_client_resumes()
    {
        var overflows = 0;
        var outbox = NewOutbox(_ => overflows++);
        var waiting = outbox.WaitToReadAsync().AsTask();

        outbox.Send(new SerializedHubMessage([new SerializedMessage("json", new byte[] { 1, 2, 3 })]));

        Assert.False(await waiting.WaitAsync(Wait));
        Assert.Equal(0, overflows);
    }

    private static SseOutbox NewOutbox(Action<long> onOverflow) => new("sse-test", Protocol, 4096, onOverflow);
}
