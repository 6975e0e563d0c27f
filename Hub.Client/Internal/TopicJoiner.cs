using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// Joins one topic on one connection: calls <c>Subscribe</c> with the last delivered id and hands what it
/// returns to the <see cref="TopicFeed"/>, which merges it with the live events held back meanwhile.
/// </summary>
/// <param name="options">Supplies the reconnect policy, read at each retry.</param>
/// <param name="logger">The client's logger.</param>
internal sealed class TopicJoiner(RealtimeHubClientOptions options, ILogger logger)
{
    /// <summary>
    /// Joins the feed's topic on <paramref name="live"/> and delivers what it missed. False when the connection
    /// was lost first; the hub's "history unavailable" (Redis down) is retried with the reconnect policy's delays.
    /// </summary>
    /// <exception cref="HubException">The hub refused the topic; its subscriptions have ended with this error (the caller forgets the feed).</exception>
    public async Task<bool> JoinAsync(TopicFeed feed, LiveConnection live, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live.Lost);
        try
        {
            await feed.HubCalls.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            if (!feed.TryBeginJoin(live.Generation, out var after))
            {
                return true;
            }

            var started = Stopwatch.GetTimestamp();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var replayed = await live.Hub.InvokeAsync<IReadOnlyList<EventEnvelope>>(
                        nameof(IProgressHub.Subscribe), feed.Topic, after, linked.Token);
                    feed.CompleteJoin(replayed, live.Generation);
                    return true;
                }
                catch (HubException error) when (IsTransient(error) && !live.IsLost)
                {
                    var delay = options.ReconnectPolicy.NextRetryDelay(attempt, started, error);
                    if (delay is null)
                    {
                        throw;
                    }

                    ClientLog.SubscribeRetry(logger, feed.Topic, delay.Value, error);
                    await Task.Delay(delay.Value, linked.Token);
                    // Everyone left while this waited: nothing to join any more.
                    if (feed.AbandonJoinIfUnfollowed())
                    {
                        return true;
                    }
                }
            }
        }
        catch (Exception) when (live.IsLost && !cancellationToken.IsCancellationRequested)
        {
            feed.AbandonJoin();
            return false;
        }
        catch (HubException error)
        {
            ClientLog.SubscribeRefused(logger, feed.Topic, error);
            feed.End(error);
            throw;
        }
        catch
        {
            feed.AbandonJoin();
            throw;
        }
        finally
        {
            feed.HubCalls.Release();
        }
    }

    // The hub says so while Redis is down; anything else (a bad or forbidden topic) will not change on retry.
    private static bool IsTransient(HubException error) => error.Message.Contains("unavailable", StringComparison.OrdinalIgnoreCase);
}
