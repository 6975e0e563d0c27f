using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Sse;

/// <summary>The four SSE routes (docs/contract.md, Server-sent events): each validates its input, then runs an <see cref="SseStream"/>.</summary>
internal static class SseEndpoints
{
    public static IEndpointRouteBuilder MapSseRoutes(this IEndpointRouteBuilder routes)
    {
        var sse = routes.MapGroup(string.Empty).RequireCaller(routes).RequireRateLimiting(LimitsExtensions.ConnectPolicy);
        sse.MapGet("/api/sse", (HttpContext http, SseServices services) =>
        {
            var topics = http.Request.Query["topic"];
            if (topics.Count == 0)
            {
                return BadRequest(http, "topic", "Name at least one topic: /api/sse?topic=bom:42&topic=batch:7.");
            }

            var max = services.Limits.Value.MaxTopicsPerConnection;
            if (topics.Count > max)
            {
                return BadRequest(http, "topic", $"{topics.Count} topics were requested; at most {max} are allowed per stream.");
            }

            var parsed = new List<Topic>();
            foreach (var value in topics)
            {
                if (!Topic.TryParse(value, out var topic, out var error))
                {
                    return BadRequest(http, "topic", error);
                }

                if (!parsed.Contains(topic))
                {
                    parsed.Add(topic);
                }
            }

            return Run(http, services, EnvelopeFormat.Instance, parsed);
        });

        sse.MapGet("/api/realtime/events/{merchantId}", (string merchantId, HttpContext http, SseServices services) =>
            RunSingle(http, services, MerchantFormat.Instance, "merchantId", merchantId, Topic.Merchant));

        sse.MapGet("/api/realtime/events", (HttpContext http, SseServices services) =>
            http.User.FindFirst("merchant_id")?.Value is { } merchantId
                ? RunSingle(http, services, MerchantFormat.Instance, "merchant_id", merchantId, Topic.Merchant)
                : BadRequest(http, "merchantId", "No merchant given: use /api/realtime/events/{merchantId}, or a token with a merchant_id claim."));

        sse.MapGet("/api/enrichment/stream/{bomId}", (string bomId, HttpContext http, SseServices services) =>
            RunSingle(http, services, EnrichmentFormat.Instance, "bomId", bomId, Topic.Bom));

        sse.MapGet("/api/batches/{batchId}/stream", (string batchId, HttpContext http, SseServices services) =>
            RunSingle(http, services, BatchFormat.Instance, "batchId", batchId, Topic.Batch));

        return routes;
    }

    private static Task RunSingle(HttpContext http, SseServices services, SseFormat format, string field, string id, Func<string, Topic> topicOf) =>
        Topic.TryValidateId(id, out var error)
            ? Run(http, services, format, [topicOf(id)])
            : BadRequest(http, field, $"'{field}' is invalid: {error}");

    private static async Task Run(HttpContext http, SseServices services, SseFormat format, IReadOnlyList<Topic> topics)
    {
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(lastEventId))
        {
            lastEventId = http.Request.Query["lastEventId"].ToString();
        }

        if (!SseCursor.TryParse(lastEventId, topics, composite: format is EnvelopeFormat, out var cursor, out var error))
        {
            await BadRequest(http, "Last-Event-ID", error);
            return;
        }

        try
        {
            foreach (var topic in topics)
            {
                if (!await services.Access.MayReadAsync(http.User, topic, http.RequestAborted))
                {
                    await Results.Problem(
                        title: "The topic is not granted.",
                        detail: $"You may not read topic '{topic}'.",
                        statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(http);
                    return;
                }
            }
        }
        catch (RedisUnavailableException)
        {
            await SseStream.UnavailableAsync(http);
            return;
        }

        using var slot = services.Quota.TryAcquire(http.User);
        if (slot is null)
        {
            await Results.Problem(
                title: "Too many connections.",
                detail: $"This user already holds {services.Limits.Value.MaxConnectionsPerUser} connections, the most allowed.",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(http);
            return;
        }

        await new SseStream(http, format, topics, cursor, services).RunAsync();
    }

    private static Task BadRequest(HttpContext http, string field, string detail) =>
        Results.Problem(
            title: "The stream request is invalid.",
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["field"] = field }).ExecuteAsync(http);
}
