using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// One timer for all SSE streams: every second it asks each stream that has been silent for its
/// route's heartbeat interval to write a comment, and ends each stream whose token has expired. Activity
/// resets a stream's silence, so busy streams carry no heartbeats, and no stream needs a timer of its own.
/// When the node starts stopping it ends every stream, so clients reconnect elsewhere at once.
/// </summary>
internal sealed class SseHeartbeat(IOptions<SseOptions> options, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ConcurrentDictionary<SseStream, byte> _streams = new();

    public void Add(SseStream stream) => _streams.TryAdd(stream, 0);

    public void Remove(SseStream stream) => _streams.TryRemove(stream, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = lifetime.ApplicationStopping.Register(EndAll);
        var tick = options.Value.Heartbeat < TimeSpan.FromSeconds(1) ? options.Value.Heartbeat : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Environment.TickCount64;
            foreach (var stream in _streams.Keys)
            {
                stream.Tick(now);
            }
        }
    }

    private void EndAll()
    {
        foreach (var stream in _streams.Keys)
        {
            stream.End();
        }
    }
}
