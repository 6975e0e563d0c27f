// Kestrel and a minimal API alone, with the hub's runtime settings: the references the hub's costs are read against.
// - POST /api/topics/{topic}/events parses the JSON body and answers 202 with an id, storing and sending nothing.
//   `node bench/tools/publish-cost.mjs` against it gives what an HTTP publish costs on this machine before any hub
//   work (BENCHMARKS.md, "What a publish costs").
// - GET /api/sse opens an SSE stream that writes its `retry:` line and then waits for the client to leave: the
//   memory of an idle stream before any hub code (bench/tools/sse-floor.sh).
// With REDIS=host:port each publish also makes the two Redis round trips the hub's publish rests on: an append to
// a stream by a script (which returns the id) and a PUBLISH of the event with its id (not awaited), nobody subscribed.
// With PIPELINE=standard the requests first pass ASP.NET Core's middleware that the hub also runs on every
// request: the exception handler and status-code pages (problem details), JWT bearer authentication behind a
// policy scheme, authorisation, and OpenTelemetry's ASP.NET Core metrics.
// usage: dotnet run -c Release --project bench/tools/bare-kestrel -- --urls http://127.0.0.1:PORT
using System.Text.Json;
using OpenTelemetry.Metrics;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var standard = Environment.GetEnvironmentVariable("PIPELINE") == "standard";
if (standard)
{
    builder.Services.AddProblemDetails();
    builder.Services.AddAuthentication("token")
        .AddPolicyScheme("token", "JWT", scheme => scheme.ForwardDefaultSelector = _ => "Bearer")
        .AddJwtBearer();
    builder.Services.AddAuthorization();
    builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddAspNetCoreInstrumentation());
}

var redis = Environment.GetEnvironmentVariable("REDIS") is { Length: > 0 } endpoint
    ? (await ConnectionMultiplexer.ConnectAsync(endpoint)).GetDatabase()
    : null;
const string Append = "return redis.call('XADD', KEYS[1], 'MAXLEN', '~', 1000, '*', 'event', ARGV[1])";

var app = builder.Build();
if (standard)
{
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseAuthentication();
    app.UseAuthorization();
}

app.MapGet("/health/live", () => "Healthy");
app.MapPost("/api/topics/{topic}/events", async (string topic, HttpRequest request) =>
{
    using var body = await JsonDocument.ParseAsync(request.Body);
    var id = "0-1";
    if (redis is not null)
    {
        var json = body.RootElement.GetRawText();
        id = (string)(await redis.ScriptEvaluateAsync(Append, [(RedisKey)$"floor:{topic}"], [json]))!;
        // Not awaited, as the hub does not await its hand-off: the least this round trip can cost.
        redis.Publish(RedisChannel.Literal($"floor:{topic}"), $"{{\"id\":\"{id}\",\"event\":{json}}}", CommandFlags.FireAndForget);
    }

    return Results.Accepted((string?)null, new { id });
});
app.MapGet("/api/sse", async (HttpContext context) =>
{
    context.Response.ContentType = "text/event-stream";
    await context.Response.WriteAsync("retry: 5000\n\n");
    await context.Response.Body.FlushAsync();
    var left = new TaskCompletionSource();
    using var registration = context.RequestAborted.Register(() => left.TrySetResult());
    await left.Task;
});
app.Run();
