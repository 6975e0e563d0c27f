using System.Net;
using System.Net.ServerSentEvents;
using System.Net.Sockets;
using System.Text;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Sse;

/// <summary>A reader that stops reading is cut off at its buffer limit; nobody else waits for it, and it loses nothing.</summary>
public sealed class SlowReaderTests : IAsyncLifetime
{
    private const int Events = 150;
    private RedisServer _redis = null!;
    private HubNode _node = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _node = await HubNode.StartAsync(_redis.ConnectionString, new Dictionary<string, string?> { ["Sse:MaxBufferedBytes"] = "524288" });
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_stalled_reader_is_cut_off_without_delaying_others_and_resumes_without_gaps()
    {
        var batch = Unique.Id();
        var path = $"/api/batches/{batch}/stream";
        using var metrics = new NodeMetrics(_node);
        await using var reader = await SseTestClient.OpenAsync(_node, path);
        using var stalled = await OpenWithoutReadingAsync(path);

        // About 9 MB: far more than the socket buffers, Kestrel's response buffer and the 512 KiB outbox hold.
        var padding = new string('x', 60_000);
        var ids = new List<string>();
        var seen = new MemoryStream();
        for (var i = 0; i < Events; i++)
        {
            using var response = await _node.PublishAsync($"batch:{batch}", EventTypes.BatchProgress, new { stage = "processing", progress_percentage = i * 0.5, message = padding });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add(System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
            if (i == 0)
            {
                // The stalled client reads its first event, so it has a last id, then stops reading.
                await ReadUntilAsync(stalled, seen, ids[0]);
            }

            // The reading client gets each event before the next is published, while the stalled one sits on its
            // backlog: a stalled member that held up the others would stop this loop. In step, the reader can
            // never itself fall behind by the outbox limit, however slowly a busy machine runs this test.
            Assert.Equal(ids[i], (await reader.NextAsync()).EventId);
        }

        // The server ended the stalled stream: reading on reaches the end (or a reset), not a hang.
        var partial = await ReadToEndAsync(stalled, seen);
        Assert.NotEmpty(partial);
        Assert.True(partial.Count < Events, $"The stalled reader was not cut off: it received all {partial.Count} events.");
        Assert.Equal(ids.Take(partial.Count), partial.Select(e => e.EventId));

        // The cut-off is reported as it happens, though the stream's writer sat in a flush the client never drained.
        Assert.Equal(1, metrics.Sum("realtimehub.slow_consumers.closed", ("transport", "sse")));

        // Reconnecting with its last id, it gets exactly the rest.
        await using var resumed = await SseTestClient.OpenAsync(_node, path, lastEventId: partial[^1].EventId);
        var rest = await resumed.TakeAsync(Events - partial.Count);
        Assert.Equal(ids, partial.Concat(rest).Select(e => e.EventId));
    }

    /// <summary>An HTTP/1.0 request (so the body is not chunked) on a socket with a tiny receive buffer.</summary>
    private async Task<Socket> OpenWithoutReadingAsync(string path)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(IPAddress.Loopback, _node.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
        return socket;
    }

    private static async Task ReadUntilAsync(Socket socket, MemoryStream seen, string id)
    {
        var marker = Encoding.ASCII.GetBytes($"id: {id}\n");
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            var text = seen.ToArray();
            var at = text.AsSpan().IndexOf(marker);
            if (at >= 0 && text.AsSpan(at).IndexOf("\n\n"u8) >= 0)
            {
                return;
            }

            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(read > 0, "The stream ended before its first event.");
            seen.Write(buffer, 0, read);
        }
    }

    private static async Task<List<SseItem<string>>> ReadToEndAsync(Socket socket, MemoryStream seen)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[65536];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                seen.Write(buffer, 0, read);
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Cutting off a reader that does not read can only be an abort; what was read stays valid.
        }

        var text = seen.ToArray();
        var body = text.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var events = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(new MemoryStream(text, body, text.Length - body)).EnumerateAsync(timeout.Token))
        {
            events.Add(item);
        }

        return events;
    }
}
