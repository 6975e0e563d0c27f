using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>The README's Hub.Client example compiles here, runs against a real node, and is the README's text.</summary>
[Collection(RedisClusterDefinition.Name)]
public sealed class ReadmeExampleTests(RedisCluster cluster)
{
    private const string Begin = "// README example begins";
    private const string End = "// README example ends";

    [Fact]
    public async Task The_README_example_follows_a_batch_to_its_terminal_event()
    {
        using var timeout = new CancellationTokenSource(Eventually.DefaultTimeout);

        var seen = await ReadmeExample.FollowBatchAsync(cluster.NodeA.HubUrl(), Unique.Id(), timeout.Token);

        Assert.Equal(["processing 40 %", "completed 100 %"], seen);
    }

    [Fact]
    public async Task The_README_example_registration_gives_a_client_and_a_publisher()
    {
        var services = new ServiceCollection();

        ReadmeExample.AddProgressClient(services, cluster.NodeA.BaseAddress, cluster.NodeB.BaseAddress);

        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<RealtimeHubClient>().StartAsync();
        Assert.NotNull(provider.GetRequiredService<RealtimeHubPublisher>());
    }

    [Fact]
    public void The_README_shows_the_example_exactly_as_it_is_compiled_here()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "RealtimeHub.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("RealtimeHub.sln not found above the test output.");
        }

        var source = File.ReadAllLines(Path.Combine(root.FullName, "Hub.Tests", "Client", "ReadmeExampleTests.cs"));
        var example = source
            .SkipWhile(line => line.Trim() != Begin).Skip(1)
            .TakeWhile(line => line.Trim() != End)
            .Select(line => line.Length >= 4 ? line[4..] : line.TrimStart());
        var readme = File.ReadAllText(Path.Combine(root.FullName, "README.md")).ReplaceLineEndings("\n");

        Assert.Contains($"```csharp\n{string.Join("\n", example)}\n```", readme, StringComparison.Ordinal);
    }
}

/// <summary>The README's example; the lines between the markers are the README's text.</summary>
public static class ReadmeExample
{
    // README example begins
    // Follows an OMR batch until its terminal event, publishing to it the way a worker does.
    public static async Task<List<string>> FollowBatchAsync(Uri hubUrl, string batchId, CancellationToken cancellationToken)
    {
        // One URL per node; after a lost connection the client moves on to the next one.
        var options = new RealtimeHubClientOptions { Urls = { hubUrl } };
        await using var client = new RealtimeHubClient(options);
        client.HistoryReset += reset =>
            Console.WriteLine($"{reset.Topic}: events before {reset.OldestRetainedId} were no longer retained");

        // Publishing retries 503s and timeouts with one idempotency key, so nothing is stored twice.
        using var publisher = new RealtimeHubPublisher(options);
        var topic = Topic.Batch(batchId);
        var processing = new BatchProgressData { Stage = "processing", ProgressPercentage = 40, SheetsTotal = 10, SheetsProcessed = 4 };
        await publisher.PublishAsync(topic, EventTypes.BatchProgress, processing, cancellationToken: cancellationToken);

        // The stream starts with the latest event, then yields every later one once, in order, across reconnects.
        var seen = new List<string>();
        await foreach (var update in client.StreamBatchAsync(batchId, cancellationToken))
        {
            seen.Add($"{update.Data.Stage} {update.Data.ProgressPercentage} %");
            if (update.IsTerminal)
            {
                break;
            }

            var completed = new BatchProgressData { Stage = "completed", ProgressPercentage = 100, SheetsTotal = 10, SheetsProcessed = 10 };
            await publisher.PublishAsync(topic, EventTypes.BatchProgress, completed, cancellationToken: cancellationToken);
        }

        return seen;
    }

    // With dependency injection: one RealtimeHubClient, and a RealtimeHubPublisher over IHttpClientFactory.
    public static void AddProgressClient(IServiceCollection services, Uri nodeA, Uri nodeB) =>
        services.AddRealtimeHubClient(options =>
        {
            options.Urls.Add(nodeA);
            options.Urls.Add(nodeB);
            options.Protocol = RealtimeHubProtocol.Json;  // MessagePack is the default
            options.ApiKey = Environment.GetEnvironmentVariable("REALTIMEHUB_API_KEY");  // sent as X-Api-Key when publishing
        });
    // README example ends
}
