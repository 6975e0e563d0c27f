using Microsoft.Extensions.Logging;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Bridge;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>Disposing typed clients, alone and while the server drops their connections, neither throws nor fails a handler.</summary>
public sealed class DisposalTests
{
    private const int Clients = 16;

    [Fact]
    public async Task Disposing_clients_while_the_server_drops_their_connections_throws_nothing_and_fails_no_Closed_handler()
    {
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        await using var node = await HubNode.StartAsync(null, new Dictionary<string, string?> { ["Limits:ConnectionsPerSecond"] = "1000", ["Limits:ConnectionsBurst"] = "1000" });

        // Disposed while connected: the SignalR client raises Closed on the thread pool after the disposal began.
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            var client = await ConnectAsync(node, loggers);
            await client.DisposeAsync();
        }));

        // Disposed while the node goes away and drops every connection.
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => ConnectAsync(node, loggers)));
        var stopping = node.StopAsync(TimeSpan.FromSeconds(5));
        await Task.WhenAll(clients.Select(client => client.DisposeAsync().AsTask()));
        await stopping;

        // Closed handlers still queued on the thread pool have run by now.
        await Task.Delay(500);
        // SignalR logs the dropped connections and the cancelled reconnects as errors of its own; a failing handler is ours.
        var handlerFailures = logs.Entries.Where(e => e.Message.Contains("Closed event", StringComparison.Ordinal) || e.Exception is ObjectDisposedException).ToList();
        Assert.True(handlerFailures.Count == 0, string.Join(Environment.NewLine, handlerFailures.Select(e => $"{e.Category}: {e.Message} ({e.Exception})")));
    }

    private static async Task<RealtimeHubClient> ConnectAsync(HubNode node, ILoggerFactory loggers)
    {
        var client = new RealtimeHubClient(ClientTestKit.Options(RealtimeHubProtocol.Json, node), loggers);
        await client.SubscribeAsync<BatchProgressData>(Topic.Batch(Unique.Id()), _ => Task.CompletedTask);
        return client;
    }
}
