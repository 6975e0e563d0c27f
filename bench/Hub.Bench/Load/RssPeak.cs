namespace RealtimeHub.Bench.Load;

/// <summary>The largest value <c>read</c> returns, sampled every 500 ms from construction until disposal.</summary>
internal sealed class RssPeak : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peak;

    public RssPeak(Func<long> read)
    {
        _peak = read();
        _sampler = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), read()));
                await Task.Delay(500, CancellationToken.None);
            }
        }, CancellationToken.None);
    }

    /// <summary>The largest value seen so far.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    public void Dispose()
    {
        _stop.Cancel();
        _sampler.Wait();
        _stop.Dispose();
    }
}
