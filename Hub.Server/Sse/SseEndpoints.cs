using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.OpenApi;

namespace RealtimeHub.Server.Sse;

/// <summary>The four SSE routes (docs/contract.md, Server-sent events): each validates its input, then runs an <see cref="SseStream"/>.</summary>
internal static class SseEndpoints
{
    public static IEndpointRouteBuilder MapSseRoutes(this IEndpointRouteBuilder routes)
    {
        var sse = routes.MapGroup(string.Empty)
            .WithTags("Server-sent events")
            .RequireCaller(routes)
            .RequireRateLimit(RateLimitPolicy.Connect)
            .ProducesEventStream()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(DescribeResume);
        sse.MapGet("/api/sse", (HttpContext http, SseServices services) =>
        {
            var topics = QueryParameters.Get(http.Request, "topic");
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
        })
            .WithSummary("Streams the envelopes of one or more topics.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.AddParameter("topic", ParameterLocation.Query, "A topic to follow, for example bom:42; repeat for more.", required: true, repeated: true);
                return Task.CompletedTask;
            });

        sse.MapGet("/api/realtime/events/{merchantId}", (string merchantId, HttpContext http, SseServices services) =>
            RunSingle(http, services, MerchantFormat.Instance, "merchantId", merchantId, Topic.Merchant))
            .WithSummary("Streams a merchant's PO sync events in the PO sync front end's format.");

        sse.MapGet("/api/realtime/events", (HttpContext http, SseServices services) =>
            http.User.FindFirst("merchant_id")?.Value is { } merchantId
                ? RunSingle(http, services, MerchantFormat.Instance, "merchant_id", merchantId, Topic.Merchant)
                : BadRequest(http, "merchantId", "No merchant given: use /api/realtime/events/{merchantId}, or a token with a merchant_id claim."))
            .WithSummary("Streams the PO sync events of the merchant named by the token's merchant_id claim.");

        sse.MapGet("/api/enrichment/stream/{bomId}", (string bomId, HttpContext http, SseServices services) =>
            RunSingle(http, services, EnrichmentFormat.Instance, "bomId", bomId, Topic.Bom))
            .WithSummary("Streams a BOM's enrichment events in the enrichment service's format; ends after a terminal event.");

        sse.MapGet("/api/batches/{batchId}/stream", (string batchId, HttpContext http, SseServices services) =>
            RunSingle(http, services, BatchFormat.Instance, "batchId", batchId, Topic.Batch))
            .WithSummary("Streams an OMR batch's progress as unnamed data frames; ends after completed or failed.");

        return routes;
    }

    /// <summary>
    /// Every SSE route resumes after the id in <c>Last-Event-ID</c> (or <c>lastEventId</c>), takes a token in
    /// the query, and answers a reconnect after its topic's terminal event with 204.
    /// </summary>
    private static Task DescribeResume(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= [];
        if (operation.Responses.TryGetValue(StatusCodes.Status200OK.ToString(CultureInfo.InvariantCulture), out var stream) && stream is OpenApiResponse frames)
        {
            frames.Description = "The stream: a retry: field, then id:, event: and data: frames, and comment heartbeats after silence.";
        }

        operation.Responses[StatusCodes.Status204NoContent.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
        {
            Description = "The stream's topic has already ended with the event in Last-Event-ID, so EventSource stops reconnecting.",
        };
        operation.AddParameter("Last-Event-ID", ParameterLocation.Header, "The id of the last frame received; the stream resumes after it.");
        operation.AddParameter("lastEventId", ParameterLocation.Query, "The same as Last-Event-ID, for clients that cannot send headers.");
        operation.AddParameter("access_token", ParameterLocation.Query, "A bearer token, for EventSource, which cannot send headers; token is read too.");
        return Task.CompletedTask;
    }

    private static Task RunSingle(HttpContext http, SseServices services, SseFormat format, string field, string id, Func<string, Topic> topicOf) =>
        Topic.TryValidateId(id, out var error)
            ? Run(http, services, format, [topicOf(id)])
            : BadRequest(http, field, $"'{field}' is invalid: {error}");

    private static Task Run(HttpContext http, SseServices services, SseFormat format, IReadOnlyList<Topic> topics)
    {
        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (string.IsNullOrEmpty(lastEventId))
        {
            lastEventId = QueryParameters.Get(http.Request, "lastEventId").ToString();
        }

        // Not awaited here: a stream stays open for hours, and each frame waiting on it stays in memory as long.
        return SseCursor.TryParse(lastEventId, topics, composite: format is EnvelopeFormat, out var cursor, out var error)
            ? new SseStream(http, format, topics, cursor, services).RunAsync()
            : BadRequest(http, "Last-Event-ID", error);
    }

    private static Task BadRequest(HttpContext http, string field, string detail) =>
        Results.Problem(
            title: "The stream request is invalid.",
            detail: detail,
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["field"] = field }).ExecuteAsync(http);
}
