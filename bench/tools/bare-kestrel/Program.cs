// Kestrel and a minimal API alone, with the hub's runtime settings: the references the hub's costs are read against.
// - POST /api/topics/{topic}/events parses the JSON body and answers 202 with an id, storing and sending nothing.
//   `node bench/tools/publish-cost.mjs` against it gives what an HTTP publish costs on this machine before any hub
//   work (BENCHMARKS.md, "What a publish costs").
// - GET /api/sse opens an SSE stream that writes its `retry:` line and then waits for the client to leave: the
//   memory of an idle stream before any hub code (bench/tools/sse-floor.sh).
// With PIPELINE=standard the requests first pass ASP.NET Core's middleware that the hub also runs on every
// request: the exception handler and status-code pages (problem details), JWT bearer authentication behind a
// policy scheme, authorisation, and OpenTelemetry's ASP.NET Core metrics.
// usage: dotnet run -c Release --project bench/tools/bare-kestrel -- --urls http://127.0.0.1:PORT
using System.Text.Json;
using OpenTelemetry.Metrics;

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
    return Results.Accepted((string?)null, new { id = "0-1" });
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
