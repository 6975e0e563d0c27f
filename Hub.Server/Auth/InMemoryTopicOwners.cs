using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.History;

namespace RealtimeHub.Server.Auth;

/// <summary>Topic owners of the embedded default.</summary>
internal sealed class InMemoryTopicOwners(IMemoryCache cache, IOptions<HistoryOptions> options) : ITopicOwners
{
    private readonly Lock _gate = new();

    public Task<string?> GetAsync(Topic topic, CancellationToken cancellationToken) =>
        Task.FromResult(cache.Get<string>(Key(topic)));

    public Task<string> ClaimAsync(Topic topic, string organization, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var owner = cache.Get<string>(Key(topic)) ?? organization;
            cache.Set(Key(topic), owner, options.Value.Retention);
            return Task.FromResult(owner);
        }
    }

    private static (Type, Topic) Key(Topic topic) => (typeof(ITopicOwners), topic);
}
