using RealtimeHub.Server.Sse;

namespace RealtimeHub.Tests.Sse;

/// <summary>The SSE outbox on its own: what its one reader sees as messages, heartbeats, overflow, cancellation and completion arrive.</summary>
public sealed class SseOutboxTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_waiting_reader_wakes_for_messages_and_reads_them_in_order()
    {
        var outbox = new SseOutbox(4096, _ => { });
        var waiting = outbox.WaitToReadAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        await outbox.WriteAsync(new byte[] { 1 });
        await outbox.WriteAsync(new byte[] { 2, 2 });

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
        var outbox = new SseOutbox(4096, _ => { });

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
        var outbox = new SseOutbox(4096, pending =>
        {
            overflows++;
            reported = pending;
        });
        await outbox.WriteAsync(new byte[3000]);

        await outbox.WriteAsync(new byte[3000]);
        await outbox.WriteAsync(new byte[10]);

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
        var outbox = new SseOutbox(4096, _ => { });
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
        var outbox = new SseOutbox(4096, _ => overflows++);
        var waiting = outbox.WaitToReadAsync().AsTask();

        outbox.Complete();
        var result = await outbox.WriteAsync(new byte[10000]);

        Assert.False(await waiting.WaitAsync(Wait));
        Assert.True(result.IsCompleted);
        Assert.False(outbox.TryRead(out _));
        Assert.Equal(0, overflows);
    }

    [Fact]
    public async Task Bytes_written_through_the_buffer_are_copied_out_on_flush()
    {
        var outbox = new SseOutbox(4096, _ => { });
        var span = outbox.GetSpan(3);
        span[0] = 7;
        span[1] = 8;
        outbox.Advance(2);

        await outbox.FlushAsync();
        outbox.GetSpan(1)[0] = 9;

        Assert.True(outbox.TryRead(out var item));
        Assert.Equal([7, 8], item.ToArray());
    }
}
