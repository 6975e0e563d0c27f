using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Server.WebSockets;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.WebSockets;

/// <summary>
/// The hub's WebSockets, negotiated or not, send their frames straight to the socket: a real node whose
/// Kestrel connections count what goes through Kestrel's own output shows the upgraded connection's output
/// ending with the <c>101 Switching Protocols</c> while its client receives every event, and the publisher's
/// connection (a plain HTTP response) counted in full.
/// </summary>
public sealed class SocketSendPathTests : IAsyncLifetime
{
    private const string SwitchingProtocols = "HTTP/1.1 101";
    private readonly ConcurrentQueue<CountingWriter> _kestrelOutputs = new();
    private HubNode _node = null!;

    public async Task InitializeAsync() => _node = await HubNode.StartAsync(redis: null, services: services =>
        services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
        {
            var counted = new CountingWriter(connection.Transport.Output);
            _kestrelOutputs.Enqueue(counted);
            connection.Transport = new DuplexPipe(connection.Transport.Input, counted);
            return next(connection);
        }))));

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_WebSockets_events_reach_its_client_without_passing_through_Kestrels_output(bool negotiate)
    {
        var topic = $"batch:{Unique.Id()}";
        await using var client = await HubClient.ConnectAsync(_node, HubProtocol.Json, negotiate);
        await client.SubscribeAsync(topic);
        for (var i = 0; i < 50; i++)
        {
            await _node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(i));
        }

        await Eventually.HoldsAsync(() => client.EventCount == 50, "the client has every event");

        var upgraded = _kestrelOutputs.Where(output => output.Start.StartsWith(SwitchingProtocols, StringComparison.Ordinal)).ToList();
        var upgrade = Assert.Single(upgraded);
        Assert.True(upgrade.Bytes < 512, $"Kestrel wrote {upgrade.Bytes} bytes to the WebSocket's connection: its 101 response and nothing more");
        Assert.Contains(_kestrelOutputs, output => output.Start.StartsWith("HTTP/1.1 202", StringComparison.Ordinal) && output.Bytes > 50 * 100);
    }

    /// <summary>Kestrel's output of one connection, counted on its way to the socket, with its first bytes kept.</summary>
    private sealed class CountingWriter(PipeWriter inner) : PipeWriter
    {
        private readonly StringBuilder _start = new();
        private Memory<byte> _last;
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public string Start
        {
            get
            {
                lock (_start)
                {
                    return _start.ToString();
                }
            }
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void Advance(int bytes)
        {
            lock (_start)
            {
                if (_start.Length < 32)
                {
                    _start.Append(Encoding.ASCII.GetString(_last.Span[..Math.Min(bytes, 32)]));
                }
            }

            Interlocked.Add(ref _bytes, bytes);
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
