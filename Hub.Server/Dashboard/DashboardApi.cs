using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Demo;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.OpenApi;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Dashboard;

/// <summary>
/// The dashboard's two reads: <c>GET /api/topics</c> (recently active topics the caller may read, each
/// with its latest event) and <c>GET /api/stats</c> (this node's connections by transport).
/// </summary>
internal static class DashboardApi
{
    // A caller with narrow grants sees what it may read among this many times MaxTopics of the most
    // recently active topics: enough for a tenant's own jobs, without an access check per topic ever seen.
    private const int ScanFactor = 4;

    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").WithTags("Dashboard").RequireCaller(routes);
        api.MapGet("/topics", ListTopics)
            .WithSummary("Recently active topics the caller may read, each with its latest event.")
            .ProducesProblems(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/stats", Stats).WithSummary("This node's open connections by transport.");
        return routes;
    }

    private static async Task<Results<Ok<DashboardTopics>, ProblemHttpResult>> ListTopics(
        HttpContext http,
        IActiveTopics active,
        IEventHistory history,
        TopicAccess access,
        IOptions<DashboardOptions> options,
        IOptions<LimitsOptions> limits,
        IOptions<RedisConnectionOptions> redis,
        TimeProvider clock)
    {
        var settings = options.Value;
        var cancellationToken = http.RequestAborted;
        try
        {
            var everything = access.IsOpen || http.User.IsAdmin();
            var candidates = await active.RecentAsync(
                clock.GetUtcNow() - settings.ActiveWindow, everything ? settings.MaxTopics : settings.MaxTopics * ScanFactor, cancellationToken);
            var readable = everything
                ? candidates
                : await ReadableAsync(candidates, access, http, settings.MaxTopics);

            var latest = await Task.WhenAll(readable.Select(t => history.ReadAsync(t.Topic, null, cancellationToken)));
            var summaries = new List<TopicSummary>(readable.Count);
            for (var i = 0; i < readable.Count; i++)
            {
                // A topic whose history expired has nothing left to show.
                if (latest[i].Events is [.., var last])
                {
                    summaries.Add(new TopicSummary(readable[i].Topic.ToString(), FamilyName(readable[i].Topic.Family), readable[i].LastActivity, last));
                }
            }

            return TypedResults.Ok(new DashboardTopics(
                summaries,
                Math.Min(limits.Value.MaxTopicsPerConnection, settings.MaxTopics),
                settings.RefreshInterval.TotalSeconds,
                redis.Value.IsConfigured ? "cluster" : "node"));
        }
        catch (RedisUnavailableException unavailable)
        {
            http.Response.Headers.RetryAfter = ((int)RedisUnavailableException.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                title: "The topic list is unavailable.",
                detail: unavailable.Message,
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static Ok<DashboardStats> Stats(ConnectionTally tally, IOptions<DashboardOptions> options, IOptions<DemoOptions> demo) =>
        TypedResults.Ok(new DashboardStats(tally.Snapshot(), "node", demo.Value.Enabled == true, options.Value.RefreshInterval.TotalSeconds));

    private static async Task<IReadOnlyList<ActiveTopic>> ReadableAsync(
        IReadOnlyList<ActiveTopic> candidates, TopicAccess access, HttpContext http, int max)
    {
        var allowed = await Task.WhenAll(candidates.Select(t => access.MayReadAsync(http.User, t.Topic, http.RequestAborted)));
        return [.. candidates.Where((_, i) => allowed[i]).Take(max)];
    }

    private static string FamilyName(TopicFamily family) => family switch
    {
        TopicFamily.Merchant => "merchant",
        TopicFamily.Bom => "bom",
        TopicFamily.Batch => "batch",
        _ => "other",
    };
}

/// <summary>The answer of <c>GET /api/topics</c>.</summary>
/// <param name="Topics">Recently active topics the caller may read, most recent first.</param>
/// <param name="MaxStreamTopics">Most topics one <c>/api/sse</c> stream may follow.</param>
/// <param name="RefreshSeconds">How often the page should ask again.</param>
/// <param name="Scope"><c>cluster</c> when the list is shared by every node (Redis), <c>node</c> otherwise.</param>
internal sealed record DashboardTopics(IReadOnlyList<TopicSummary> Topics, int MaxStreamTopics, double RefreshSeconds, string Scope);

/// <summary>One active topic: its name, family, last activity and latest event.</summary>
internal sealed record TopicSummary(string Topic, string Family, DateTimeOffset LastActivity, EventEnvelope Latest);

/// <summary>The answer of <c>GET /api/stats</c>: this node's open connections by transport.</summary>
internal sealed record DashboardStats(IReadOnlyDictionary<string, long> Connections, string Scope, bool Demo, double RefreshSeconds);
