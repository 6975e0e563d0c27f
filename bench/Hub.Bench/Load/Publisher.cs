using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// Publishes at a steady rate through the batch API (<c>POST /api/events</c>). Topics are split over
/// lanes; each lane owns its topics and sends its batches one after another, so a topic's events are
/// numbered in the order the hub stores them. Lane k posts to node k % nodes. Every event's data
/// carries its number (<c>seq</c>) and the <see cref="Stopwatch"/> timestamp taken just before its batch
/// was sent (<c>sent</c>), which the clients turn into publish-to-deliver latency.
/// </summary>
internal sealed class Publisher(IReadOnlyList<HttpClient> nodes, LoadAccounting accounting, TopicNames topics, double eventsPerSecond, int lanes)
{
    /// <summary>The event type: a merchant <c>stage</c> event, which has no ETA to compute.</summary>
    public const string EventType = "stage";

    private const int MaxBatch = 500;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly List<double> _acknowledgeMs = [];
    private long _batches;

    /// <summary>Batches sent.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>How long each acknowledged POST took to be answered, sorted, in milliseconds.</summary>
    public IReadOnlyList<double> AcknowledgeMs
    {
        get
        {
            lock (_acknowledgeMs)
            {
                return [.. _acknowledgeMs.Order()];
            }
        }
    }

    /// <summary>Publishes until <paramref name="duration"/> has passed or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(TimeSpan duration, CancellationToken cancellationToken)
    {
        var count = Math.Clamp(lanes, 1, topics.Count);
        await Task.WhenAll(Enumerable.Range(0, count).Select(lane => RunLaneAsync(lane, count, duration, cancellationToken)));
    }

    private async Task RunLaneAsync(int lane, int laneCount, TimeSpan duration, CancellationToken cancellationToken)
    {
        var own = Enumerable.Range(0, topics.Count).Where(t => t % laneCount == lane).ToArray();
        var http = nodes[lane % nodes.Count];
        var rate = eventsPerSecond / laneCount;
        var started = Stopwatch.GetTimestamp();
        long sent = 0;
        var next = 0;
        using var timer = new PeriodicTimer(Tick);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var batch = new List<int>(MaxBatch);
        while (!cancellationToken.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var due = (long)(Math.Min(elapsed.TotalSeconds, duration.TotalSeconds) * rate) - sent;
            if (due > 0)
            {
                batch.Clear();
                buffer.ResetWrittenCount();
                var seqs = new long[Math.Min(due, MaxBatch)];
                using (var json = new Utf8JsonWriter(buffer))
                {
                    var stamp = Stopwatch.GetTimestamp();
                    json.WriteStartArray();
                    for (var i = 0; i < seqs.Length; i++)
                    {
                        var topic = own[next++ % own.Length];
                        batch.Add(topic);
                        seqs[i] = accounting.Published.Next(topic);
                        json.WriteStartObject();
                        json.WriteString("topic"u8, topics[topic]);
                        json.WriteString("type"u8, EventType);
                        json.WriteStartObject("data"u8);
                        json.WriteString("stage"u8, "bench"u8);
                        json.WriteNumber("seq"u8, seqs[i]);
                        json.WriteNumber("sent"u8, stamp);
                        json.WriteEndObject();
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                sent += seqs.Length;
                await SendAsync(http, buffer.WrittenMemory, batch, seqs, cancellationToken);
                continue;
            }

            if (elapsed >= duration)
            {
                return;
            }

            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    private async Task SendAsync(HttpClient http, ReadOnlyMemory<byte> body, List<int> batch, long[] seqs, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _batches);
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = Json;
        try
        {
            var posted = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync(new Uri("/api/events", UriKind.Relative), content, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                lock (_acknowledgeMs)
                {
                    _acknowledgeMs.Add(Stopwatch.GetElapsedTime(posted).TotalMilliseconds);
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    accounting.Published.Acknowledge(batch[i], seqs[i]);
                }

                return;
            }
        }
        catch (HttpRequestException)
        {
            // Counted below; the clients' ledgers will show what it cost.
        }

        accounting.Published.Failed(batch.Count);
    }
}

/// <summary>The run's topics: <c>merchant:&lt;prefix&gt;-0</c> .. <c>merchant:&lt;prefix&gt;-(P-1)</c>.</summary>
internal sealed class TopicNames(string prefix, int count)
{
    private readonly string[] _names = [.. Enumerable.Range(0, count).Select(i => FormattableString.Invariant($"merchant:{prefix}-{i}"))];

    public int Count => _names.Length;

    public string this[int topic] => _names[topic];
}
