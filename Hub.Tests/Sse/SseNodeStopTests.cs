using System.Net;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Sse;

/// <summary>A node that starts stopping ends its SSE streams at once and cleanly, so their clients reconnect elsewhere.</summary>
public sealed class SseNodeStopTests
{
    [Fact]
    public async Task Stopping_a_node_ends_its_open_streams_cleanly_without_waiting_for_the_shutdown_timeout()
    {
        await using var node = await HubNode.StartAsync(null);
        var batch = Unique.Id();
        await using var live = await SseTestClient.OpenAsync(node, $"/api/batches/{batch}/stream");
        await using var idle = await SseTestClient.OpenAsync(node, $"/api/sse?topic=bom:{Unique.Id()}");
        using (var response = await node.PublishAsync($"batch:{batch}", EventTypes.BatchProgress, SampleData.BatchProgress(1)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await live.NextAsync();

        // The host is given far longer than the wait below: a stream the hub did not end itself would hold the
        // stop until then, and its client would see the connection aborted instead of the body's end.
        var stopping = node.StopAsync(TimeSpan.FromMinutes(2));
        foreach (var stream in new[] { live, idle })
        {
            await stream.WaitForEndAsync();
            Assert.True(stream.Ended.IsCompletedSuccessfully, $"The stream ended with {stream.Ended.Exception?.GetBaseException().Message}.");
        }

        await Eventually.WithinAsync(stopping.ContinueWith(_ => true, TaskScheduler.Default), "the node to stop");
    }
}
