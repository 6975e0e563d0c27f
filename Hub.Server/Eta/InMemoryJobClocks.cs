using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;

namespace RealtimeHub.Server.Eta;

/// <summary>Job clocks of the embedded default, forgotten after the history retention of inactivity.</summary>
internal sealed class InMemoryJobClocks(IMemoryCache cache, IOptions<HistoryOptions> options) : IJobClocks
{
    public Task<JobStart> GetOrStartAsync(Topic topic, string job, DateTimeOffset now, double percent, CancellationToken cancellationToken)
    {
        var start = cache.GetOrCreate((typeof(JobStart), topic, job), entry =>
        {
            entry.SlidingExpiration = options.Value.Retention;
            return new JobStart(now, percent);
        });
        return Task.FromResult(start);
    }
}
