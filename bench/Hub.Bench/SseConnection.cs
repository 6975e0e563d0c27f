using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;

namespace RealtimeHub.Bench;

/// <summary>A connection attempt that did not yield a working SSE stream; the message is the error's category.</summary>
internal sealed class SseConnectException(string message) : Exception(message);

/// <summary>
/// One open SSE stream: the response had status 200, <c>text/event-stream</c> and a <c>retry:</c> line first.
/// It is then read by <see cref="SseParser"/> until the bench stops it or the server closes it.
/// </summary>
internal sealed class SseConnection : IDisposable
{
    private const int MaxFirstLine = 512;

    private readonly HttpResponseMessage _response;
    private readonly Stream _body;

    private SseConnection(HttpResponseMessage response, Stream body, TimeSpan connectTime)
    {
        _response = response;
        _body = body;
        ConnectTime = connectTime;
    }

    /// <summary>From sending the request to reading the <c>retry:</c> line.</summary>
    public TimeSpan ConnectTime { get; }

    /// <summary>Events parsed so far (comments such as heartbeats are not events).</summary>
    public int Events { get; private set; }

    /// <summary>Opens a stream, or throws <see cref="SseConnectException"/> naming what was wrong.</summary>
    public static async Task<SseConnection> OpenAsync(HttpClient client, Uri uri, TimeSpan timeout, CancellationToken cancellationToken, string? lastEventId = null)
    {
        var started = Stopwatch.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        HttpResponseMessage? response = null;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new SseConnectException($"HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw new SseConnectException($"Content-Type {response.Content.Headers.ContentType?.MediaType ?? "missing"}");
            }

            var body = await response.Content.ReadAsStreamAsync(deadline.Token);
            var head = await ReadFirstLineAsync(body, deadline.Token);
            return new SseConnection(response, new PrefixedStream(head, body), Stopwatch.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            throw new SseConnectException($"no retry: line within {timeout.TotalSeconds:0} s");
        }
        catch
        {
            response?.Dispose();
            throw;
        }
    }

    /// <summary>Reads events until <paramref name="cancellationToken"/> fires (true) or the server ends the stream (false).</summary>
    public async Task<bool> ReadUntilStoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in SseParser.Create(_body).EnumerateAsync(cancellationToken))
            {
                Events++;
            }

            return false;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return true;
        }
        catch (IOException)
        {
            return cancellationToken.IsCancellationRequested;
        }
        catch (HttpRequestException)
        {
            return cancellationToken.IsCancellationRequested;
        }
    }

    /// <summary>A parser over the rest of the stream, turning each event's data into a <typeparamref name="T"/>.</summary>
    public SseParser<T> Parse<T>(SseItemParser<T> itemParser) => SseParser.Create(_body, itemParser);

    /// <inheritdoc/>
    public void Dispose()
    {
        _body.Dispose();
        _response.Dispose();
    }

    /// <summary>Reads until the first line is complete and checks it is <c>retry:</c>; returns every byte read.</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadFirstLineAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxFirstLine];
        var length = 0;
        while (Array.IndexOf(buffer, (byte)'\n', 0, length) < 0)
        {
            if (length == buffer.Length)
            {
                throw new SseConnectException($"first line longer than {MaxFirstLine} bytes");
            }

            var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                throw new SseConnectException("stream ended before its first line");
            }

            length += read;
        }

        if (!buffer.AsSpan(0, length).StartsWith("retry:"u8))
        {
            var line = Encoding.UTF8.GetString(buffer, 0, Math.Min(Array.IndexOf(buffer, (byte)'\n', 0, length), 60));
            throw new SseConnectException($"first line is not retry: ({line})");
        }

        return buffer.AsMemory(0, length);
    }
}
