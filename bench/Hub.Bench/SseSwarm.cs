using System.Collections.Concurrent;

namespace RealtimeHub.Bench;

/// <summary>Many <see cref="SseConnection"/>s to one server, opened with bounded concurrency and read until disposed.</summary>
internal sealed class SseSwarm(HttpClient client, Uri baseAddress, BenchOptions options) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<SseConnection> _open = [];
    private readonly ConcurrentBag<Task> _readers = [];
    private readonly ConcurrentBag<double> _connectMs = [];
    private readonly ConcurrentDictionary<string, int> _errors = new();
    private int _closedByServer;
    private int _attempted;
    private int _disposed;

    /// <summary>Streams that opened (status 200, <c>text/event-stream</c>, <c>retry:</c> first).</summary>
    public int Opened => _open.Count;

    /// <summary>Opened streams the server has since ended.</summary>
    public int ClosedByServer => Volatile.Read(ref _closedByServer);

    /// <summary>Failed attempts by category.</summary>
    public IReadOnlyDictionary<string, int> Errors => _errors;

    /// <summary>Connect times of the opened streams, in milliseconds.</summary>
    public IReadOnlyCollection<double> ConnectMs => _connectMs;

    /// <summary>Events received over all streams (a fresh topic sends none; heartbeats are comments).</summary>
    public long Events => _open.Sum(c => (long)c.Events);

    /// <summary>Opens streams <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> - 1.</summary>
    public async Task OpenAsync(int first, int count, Action<int>? progress, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(options.Concurrency);
        var attempts = Enumerable.Range(first, count).Select(async index =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                await OpenOneAsync(index, cancellationToken);
            }
            finally
            {
                gate.Release();
            }

            progress?.Invoke(Interlocked.Increment(ref _attempted));
        });
        await Task.WhenAll(attempts.ToList());
    }

    /// <summary>Stops reading and closes every stream; later calls do nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_readers);
        foreach (var connection in _open)
        {
            connection.Dispose();
        }

        _stop.Dispose();
    }

    private async Task OpenOneAsync(int index, CancellationToken cancellationToken)
    {
        try
        {
            var connection = await SseConnection.OpenAsync(client, new Uri(baseAddress, options.PathOf(index)), options.ConnectTimeout, cancellationToken);
            _open.Add(connection);
            _connectMs.Add(connection.ConnectTime.TotalMilliseconds);
            _readers.Add(ReadAsync(connection));
        }
        catch (SseConnectException ex)
        {
            _errors.AddOrUpdate(ex.Message, 1, (_, n) => n + 1);
        }
        catch (HttpRequestException ex)
        {
            _errors.AddOrUpdate($"{ex.HttpRequestError}: {ex.InnerException?.Message ?? ex.Message}", 1, (_, n) => n + 1);
        }
    }

    private async Task ReadAsync(SseConnection connection)
    {
        if (!await connection.ReadUntilStoppedAsync(_stop.Token))
        {
            Interlocked.Increment(ref _closedByServer);
        }
    }
}
