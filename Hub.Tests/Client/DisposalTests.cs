using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>Disposing typed clients, alone and while the server drops their connections, neither throws nor fails a handler.</summary>
public sealed class DisposalTests
{
    private const int Clients = 16;

    [Fact]
    public async Task Disposing_clients_while_the_server_drops_their_connections_throws_nothing_and_fails_no_Closed_handler()
    {
        var errors = new ErrorCapture();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(errors).SetMinimumLevel(LogLevel.Debug));
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
        var handlerFailures = errors.Entries.Where(e => e.Contains("Closed event", StringComparison.Ordinal) || e.Contains(nameof(ObjectDisposedException), StringComparison.Ordinal)).ToList();
        Assert.True(handlerFailures.Count == 0, string.Join(Environment.NewLine, handlerFailures));
    }

    private static async Task<RealtimeHubClient> ConnectAsync(HubNode node, ILoggerFactory loggers)
    {
        var client = new RealtimeHubClient(ClientTestKit.Options(RealtimeHubProtocol.Json, node), loggers);
        await client.SubscribeAsync<BatchProgressData>(Topic.Batch(Unique.Id()), _ => Task.CompletedTask);
        return client;
    }

    /// <summary>Keeps every entry logged at Error or above, with its exception.</summary>
    private sealed class ErrorCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public IReadOnlyList<string> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} ({exception?.GetType().Name}: {exception?.Message})");
                }
            }
        }
    }
}
