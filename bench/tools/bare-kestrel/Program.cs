// Kestrel and a minimal API alone: the publish route parses the JSON body and answers 202 with an id,
// storing and sending nothing. `node bench/tools/publish-cost.mjs` against it gives what an HTTP publish
// costs on this machine before any hub work (BENCHMARKS.md, "What a publish costs").
// usage: dotnet run -c Release --project bench/tools/bare-kestrel -- --urls http://127.0.0.1:PORT
using System.Text.Json;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/health/live", () => "Healthy");
app.MapPost("/api/topics/{topic}/events", async (string topic, HttpRequest request) =>
{
    using var body = await JsonDocument.ParseAsync(request.Body);
    return Results.Accepted((string?)null, new { id = "0-1" });
});
app.Run();
