using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads.Merchant;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary><c>AddRealtimeHubClient</c> wires the client and the publisher for an application's container.</summary>
[Collection(RedisClusterDefinition.Name)]
public sealed class DependencyInjectionTests(RedisCluster cluster)
{
    [Fact]
    public async Task AddRealtimeHubClient_registers_one_client_and_a_publisher_that_work_against_the_nodes()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRealtimeHubClient(options =>
        {
            options.Urls.Add(cluster.NodeA.BaseAddress);
            options.Urls.Add(cluster.NodeB.BaseAddress);
            options.Protocol = RealtimeHubProtocol.Json;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<RealtimeHubClient>();
        var publisher = provider.GetRequiredService<RealtimeHubPublisher>();
        Assert.Same(client, provider.GetRequiredService<RealtimeHubClient>());

        var merchantId = Unique.Id("m");
        var received = new Received<MerchantEventData>();
        await using var subscription = await client.SubscribeMerchantAsync(merchantId, received.Handle);
        var id = await publisher.PublishAsync(Topic.Merchant(merchantId), EventTypes.MerchantCompletion, new MerchantEventData { PoId = "po-9", Stage = "shopify_sync", Progress = 100 });

        await received.WaitForCountAsync(1);
        Assert.Equal(id, received.Events[0].Id);
        Assert.Equal(("po-9", 100.0), (received.Events[0].Data.PoId, received.Events[0].Data.Progress));
    }

    [Fact]
    public void AddRealtimeHubClient_without_a_URL_fails_when_the_client_is_resolved_and_says_which_setting_is_missing()
    {
        var services = new ServiceCollection();
        services.AddRealtimeHubClient(_ => { });
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<RealtimeHubClient>());

        Assert.Contains("RealtimeHubClientOptions.Urls", error.Message, StringComparison.Ordinal);
    }
}
