using System.IO.Pipelines;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Redis;
using RealtimeHub.Server.Tracing;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// One SSE response, attached to the node's lifetime manager through its <see cref="SseOutbox"/>, so
/// the topic relays deliver to it like to any connection. Once admitted (the topics granted, a slot of the
/// user's connection quota) it joins its topics, replays what the client missed, then writes the live
/// events its outbox receives, dropping ids it has already replayed.
/// </summary>
internal sealed class SseStream
{
    // What one flush may carry when events have piled up, so a backlog goes out in steps, not all at once.
    private const int MaxBytesPerFlush = 64 * 1024;

    private readonly HttpContext _http;
    private readonly SseFormat _format;
    private readonly IReadOnlyList<Topic> _topics;
    private readonly SseCursor _cursor;
    private readonly SseServices _services;
    private readonly SseOutbox _outbox;
    private readonly long _heartbeatMs;
    private readonly long _expiresAt;
    private readonly string _connectionId;
    private long _lastWrite = Environment.TickCount64;

    public SseStream(HttpContext http, SseFormat format, IReadOnlyList<Topic> topics, SseCursor cursor, SseServices services)
    {
        _http = http;
        _format = format;
        _topics = topics;
        _cursor = cursor;
        _services = services;
        _connectionId = $"sse-{Guid.NewGuid():N}";
        _outbox = new SseOutbox(_connectionId, services.Protocol, services.Delivery.Value.MaxBufferedBytes, CutOff);
        _heartbeatMs = (long)format.Heartbeat(services.Options.Value).TotalMilliseconds;

        // A stream ends when its token expires (checked on the heartbeat's tick); EventSource's reconnect must
        // then bring a fresh token.
        _expiresAt = http.User.ExpiresAt() is { } expiry
            ? Environment.TickCount64 + (long)Math.Max(0, (expiry - services.Clock.GetUtcNow()).TotalMilliseconds)
            : long.MaxValue;
    }

    /// <summary>
    /// The outbox overflowed: reported, and the connection closed, which also ends a write that waits on a
    /// client that stopped reading. The client reconnects with its last id and replays the rest.
    /// </summary>
    private void CutOff(long pending)
    {
        _services.SlowConsumers.CutOff(_connectionId, ConnectionTransport.ServerSentEvents, pending, _services.Delivery.Value.MaxBufferedBytes);
        _http.Abort();
    }

    /// <summary>The 503 answer for a stream whose backplane or history store cannot be reached.</summary>
    private static Task UnavailableAsync(HttpContext http) =>
        Results.Problem(
            title: "The event stream is unavailable.",
            detail: "The backplane or history store cannot be reached; reconnect shortly.",
            statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(http);

    /// <summary>
    /// Called by <see cref="SseHeartbeat"/> every tick: ends the stream once its token has expired, else
    /// queues a heartbeat when the stream has been silent long enough.
    /// </summary>
    public void Tick(long now)
    {
        if (now >= _expiresAt)
        {
            End();
        }
        else if (now - Volatile.Read(ref _lastWrite) >= _heartbeatMs)
        {
            _outbox.RequestHeartbeat();
        }
    }

    /// <summary>Ends the stream once what is queued is written: the node is stopping, or the token expired.</summary>
    public void End() => _outbox.Complete();

    /// <summary>
    /// Admits the stream (topic grants, the user's connection quota), joins and replays, then writes the live
    /// events its outbox receives until the client leaves, the stream ends or the reader falls too far behind.
    /// </summary>
    /// <remarks>
    /// One method from admission to the end, and the pump inline: each async method still waiting keeps a
    /// frame in memory for as long as the stream is open, which for an idle stream is most of what it costs.
    /// </remarks>
    public async Task RunAsync()
    {
        if (!await MayReadAllAsync())
        {
            return;
        }

        if (!_services.Quota.TryTake(_http.User))
        {
            await Results.Problem(
                title: "Too many connections.",
                detail: $"This user already holds {_services.Limits.Value.MaxConnectionsPerUser} connections, the most allowed.",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(_http);
            return;
        }

        // From here the node's stop and the token's expiry end the stream through the heartbeat, the client's
        // leaving through the request's own token: the stream keeps no cancellation source of its own.
        var aborted = _http.RequestAborted;
        _services.Members.Attach(_outbox);
        _services.Heartbeat.Add(this);
        _services.Metrics.ConnectionOpened(ConnectionTransport.ServerSentEvents);
        try
        {
            // The replayed events are locals of a method that has returned by the time the stream waits for
            // live ones, so a resumed stream does not keep what it replayed for as long as it stays open.
            if (_services.Lifetime.ApplicationStopping.IsCancellationRequested || !await JoinAndReplayAsync(_connectionId))
            {
                return;
            }

            var writer = _http.Response.BodyWriter;
            using var left = aborted.UnsafeRegister(static (state, token) => ((SseOutbox)state!).Cancel(token), _outbox);
            while (await _outbox.WaitToReadAsync())
            {
                if (await WriteQueuedAsync(writer))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left, or the outbox overflowed and the connection was closed (reported as it happened).
        }
        catch (SseOverflowException)
        {
            // Reported by the outbox as it overflowed.
        }
        finally
        {
            _services.Quota.Release(_http.User);
            _services.Heartbeat.Remove(this);
            await _services.Members.DetachAsync(_connectionId);
            _services.Metrics.ConnectionClosed(ConnectionTransport.ServerSentEvents);
        }
    }

    /// <summary>Whether the caller may read every topic; when not, the 403 (or 503) is written.</summary>
    private async Task<bool> MayReadAllAsync()
    {
        try
        {
            foreach (var topic in _topics)
            {
                if (!await _services.Access.MayReadAsync(_http.User, topic, _http.RequestAborted))
                {
                    await Results.Problem(
                        title: "The topic is not granted.",
                        detail: $"You may not read topic '{topic}'.",
                        statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(_http);
                    return false;
                }
            }

            return true;
        }
        catch (RedisUnavailableException)
        {
            await UnavailableAsync(_http);
            return false;
        }
    }

    /// <summary>Joins the topics and writes what the client missed; false when that ended the stream.</summary>
    private async Task<bool> JoinAndReplayAsync(string connectionId)
    {
        var replay = new List<EventEnvelope>();
        var resets = new List<HistoryReset>();
        try
        {
            foreach (var topic in _topics)
            {
                var from = _cursor.ResumeFrom(topic);
                var read = await _services.Replay.JoinAndReadAsync(connectionId, topic, from, _format.Name, _http.RequestAborted);
                if (from is not null || (_format.LatestWhenFresh && read.Events.Count > 0))
                {
                    replay.AddRange(read.Events);
                }
                else
                {
                    // A fresh subscription that gets no event yet still learns where it begins, so a
                    // reconnect before its first event misses nothing published meanwhile.
                    _cursor.Start(topic, read.Events is [.., var latest] ? HubEventId.Parse(latest.Id) : HubEventId.Beginning);
                }

                if (read.Truncated && from is { } requested)
                {
                    resets.Add(new HistoryReset { Topic = topic.ToString(), RequestedId = requested.ToString(), OldestRetainedId = read.OldestRetainedId });
                }

                if (_format.EndsOnTerminal && from is { } last && read.Events.Count == 0 && await EndedAtAsync(topic, last))
                {
                    // The client already has the terminal event: 204 tells EventSource to stop reconnecting.
                    _http.Response.StatusCode = StatusCodes.Status204NoContent;
                    return false;
                }
            }
        }
        catch (RedisUnavailableException)
        {
            await UnavailableAsync(_http);
            return false;
        }

        await StartResponseAsync();
        var writer = _http.Response.BodyWriter;
        if (_cursor.HasStarts)
        {
            SseFrameWriter.Id(writer, _cursor.Current);
        }

        foreach (var reset in resets)
        {
            Write(writer, SseHubProtocol.Render(reset), live: false);
        }

        foreach (var envelope in replay.OrderBy(e => HubEventId.Parse(e.Id)))
        {
            if (Write(writer, SseHubProtocol.Render(envelope), live: false))
            {
                await writer.FlushAsync(_http.RequestAborted);
                return false;
            }
        }

        await writer.FlushAsync(_http.RequestAborted);
        return true;
    }

    private async Task<bool> EndedAtAsync(Topic topic, HubEventId last)
    {
        var latest = await _services.History.ReadAsync(topic, null, _http.RequestAborted);
        return latest.Events is [var newest]
            && HubEventId.Parse(newest.Id) <= last
            && EventTypes.IsTerminal(topic.Family, newest.Type, newest.Data);
    }

    private async Task StartResponseAsync()
    {
        var response = _http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(_http.RequestAborted);
        SseFrameWriter.Retry(response.BodyWriter, _services.Options.Value.Retry);
        _format.WriteConnected(response.BodyWriter, _topics[0], _services.Clock);
        await response.BodyWriter.FlushAsync(_http.RequestAborted);
    }

    /// <summary>
    /// Writes everything already queued in one flush (under load one send for many events instead of one
    /// each; an idle stream still flushes every event at once); returns true when an event ended the stream.
    /// </summary>
    private async ValueTask<bool> WriteQueuedAsync(PipeWriter writer)
    {
        var ended = false;
        var taken = 0;
        while (!ended && taken < MaxBytesPerFlush && _outbox.TryRead(out var item))
        {
            taken += item.Length;
            if (item.IsEmpty)
            {
                _outbox.HeartbeatTaken();
                SseFrameWriter.Comment(writer, "keepalive");
                continue;
            }

            var rest = item;
            while (!ended && SseRecord.TryRead(ref rest, out var record))
            {
                ended = Write(writer, record, live: true);
            }
        }

        await writer.FlushAsync(_http.RequestAborted);
        _outbox.Sent(taken);
        Volatile.Write(ref _lastWrite, Environment.TickCount64);
        return ended;
    }

    /// <summary>Writes one event unless already delivered, and counts it; returns true when it ends the stream.</summary>
    private bool Write(PipeWriter writer, in SseRecord record, bool live)
    {
        if (record.Reset)
        {
            // Named, so listeners of events (and the batch page's onmessage) pass it by; it moves no cursor.
            SseFrameWriter.Event(writer, null, SseRecord.ResetType, record.DataJson.Span);
            return false;
        }

        if (_cursor.HasDelivered(record.Topic, record.Id))
        {
            return false;
        }

        using var delivery = EventTracing.StartDelivery(record.Topic, record.Id, record.Type, record.TraceParent, live);
        _format.WriteEvent(writer, record, _cursor.Advance(record.Topic, record.Id));
        _services.Metrics.SseDelivered(1, replay: !live);
        if (live)
        {
            // A replayed event's age says how long the client was away, not how fast the hub delivers.
            _services.Metrics.SseDeliveryLatency(_services.Clock.GetUtcNow() - record.Timestamp);
        }

        if (record.Terminal && _format.EndsOnTerminal)
        {
            _format.WriteEnd(writer, record);
            return true;
        }

        return false;
    }
}
