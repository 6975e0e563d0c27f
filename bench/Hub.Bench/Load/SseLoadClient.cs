using System.Net.ServerSentEvents;
using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>A subscriber on <c>/api/sse?topic=T</c>; resumes with <c>Last-Event-ID</c> as EventSource does.</summary>
internal sealed class SseLoadClient(HttpClient http, Uri uri, ClientAccount account, TimeSpan connectTimeout, LoadErrors errors) : ILoadClient
{
    private SseConnection? _connection;
    private CancellationTokenSource? _stop;
    private Task _reader = Task.CompletedTask;
    private SseParser<BenchEvent>? _parser;

    public event Action<ILoadClient>? ClosedByServer;

    public string Transport => "sse";

    public ClientAccount Account => account;

    public TimeSpan ConnectTime { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await StopAsync();

        // EventSource keeps the last id: field it read, events or not: the hub's first one says where a fresh stream began.
        if (_parser?.LastEventId is { Length: > 0 } position)
        {
            account.Positioned(position);
        }

        var connection = await SseConnection.OpenAsync(http, uri, connectTimeout, cancellationToken, account.LastEventId);

        // The retry: line comes after the hub has joined the topic's group and read its history.
        account.Subscribed();
        ConnectTime = connection.ConnectTime;
        _connection = connection;
        _stop = new CancellationTokenSource();
        _reader = ReadAsync(connection, _stop.Token);
    }

    public void Drop()
    {
        _stop?.Cancel();
        _connection?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopAsync()
    {
        Drop();
        await _reader;
        _stop?.Dispose();
        _stop = null;
        _connection = null;
    }

    private async Task ReadAsync(SseConnection connection, CancellationToken stop)
    {
        await Task.Yield();
        try
        {
            var parser = connection.Parse(static (_, data) => BenchEvent.FromEnvelopeJson(data));
            _parser = parser;
            await foreach (var item in parser.EnumerateAsync(stop))
            {
                if (item.Data.Seq >= 0)
                {
                    account.Deliver(item.Data.Seq, item.Data.Sent, parser.LastEventId);
                }
            }

            if (!stop.IsCancellationRequested)
            {
                Closed();
            }
        }
        catch (Exception ex) when (stop.IsCancellationRequested && ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            // Dropped or stopped by the bench.
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            Closed();
        }
    }

    private void Closed()
    {
        errors.Closed();
        ClosedByServer?.Invoke(this);
    }
}
