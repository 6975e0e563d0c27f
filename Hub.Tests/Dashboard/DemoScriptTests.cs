using System.Text.Json;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Server.Demo;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Redis;
using RealtimeHub.Tests.Bridge;

namespace RealtimeHub.Tests.Dashboard;

/// <summary>The demo logs a publishing outage once, whatever order its jobs' publishes finish in.</summary>
public sealed class DemoScriptTests
{
    [Fact]
    public async Task A_publish_that_started_before_the_last_success_does_not_log_the_outage_again()
    {
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var publisher = new ScriptedPublisher();
        var script = new DemoScript(publisher, 1, TimeProvider.System, loggers.CreateLogger<DemoWorkloads>());

        // Redis goes down: a publish fails and the outage is logged.
        var first = publisher.Next();
        var failing = EmitAsync(script);
        first.SetException(new RedisUnavailableException("The history store (Redis) cannot be reached."));
        await failing;

        // A publish starts during the outage and is slow to fail; meanwhile Redis returns and another succeeds.
        var slow = publisher.Next();
        var slowFailing = EmitAsync(script);
        var success = publisher.Next();
        var succeeding = EmitAsync(script);
        success.SetResult("1-0");
        await succeeding;
        slow.SetException(new RedisUnavailableException("The history store (Redis) cannot be reached."));
        await slowFailing;

        Assert.Single(logs.Of<DemoWorkloads>(2));

        // A publish that starts after the success and fails is a new outage, logged again.
        var next = publisher.Next();
        var failingAgain = EmitAsync(script);
        next.SetException(new RedisUnavailableException("The history store (Redis) cannot be reached."));
        await failingAgain;
        Assert.Equal(2, logs.Of<DemoWorkloads>(2).Count);
    }

    [Fact]
    public async Task A_publish_that_started_before_the_outage_and_succeeds_after_it_does_not_end_the_outage()
    {
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(logs));
        var publisher = new ScriptedPublisher();
        var script = new DemoScript(publisher, 1, TimeProvider.System, loggers.CreateLogger<DemoWorkloads>());

        // A publish is under way (stored, its hand-off about to be retried) when another fails: the outage is logged.
        var underWay = publisher.Next();
        var finishing = EmitAsync(script);
        var first = publisher.Next();
        var failing = EmitAsync(script);
        first.SetException(new RedisUnavailableException("The history store (Redis) cannot be reached."));
        await failing;

        // The publish under way succeeds; it says nothing about Redis now, so the outage goes on...
        underWay.SetResult("1-0");
        await finishing;

        // ...and the next failure is the same outage, not logged again.
        var next = publisher.Next();
        var failingAgain = EmitAsync(script);
        next.SetException(new RedisUnavailableException("The job clocks (Redis) cannot be reached."));
        await failingAgain;
        Assert.Single(logs.Of<DemoWorkloads>(2));

        // A publish started after the outage was logged succeeds: that ends it, so the next failure is a new outage.
        var recovered = publisher.Next();
        var succeeding = EmitAsync(script);
        recovered.SetResult("2-0");
        await succeeding;
        var later = publisher.Next();
        var failingLater = EmitAsync(script);
        later.SetException(new RedisUnavailableException("The history store (Redis) cannot be reached."));
        await failingLater;
        Assert.Equal(2, logs.Of<DemoWorkloads>(2).Count);
    }

    /// <summary>Publishes as a demo job does; the workload drops a job that cannot publish.</summary>
    private static async Task EmitAsync(DemoScript script)
    {
        try
        {
            await script.EmitAsync("batch:demo", "batch.progress", new { progress_percentage = 1 }, CancellationToken.None);
        }
        catch (RedisUnavailableException)
        {
        }
    }

    /// <summary>A publisher whose calls complete when the test says, in the order they were made.</summary>
    private sealed class ScriptedPublisher : IProgressPublisher
    {
        private readonly Queue<TaskCompletionSource<string>> _calls = new();

        /// <summary>The completion of the next call to be made.</summary>
        public TaskCompletionSource<string> Next()
        {
            var call = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _calls.Enqueue(call);
            return call;
        }

        public Task<string> PublishAsync(string topic, string type, JsonElement data, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
            _calls.Dequeue().Task;

        public Task<IReadOnlyList<string>> PublishBatchAsync(IReadOnlyList<BatchPublishItem> items, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
