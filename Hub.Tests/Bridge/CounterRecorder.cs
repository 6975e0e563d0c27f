using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Bridge;

/// <summary>
/// Sums what one node's counter <c>instrument</c> records from now on, by the value of one tag; other
/// nodes in the process have meters of their own (their own <see cref="IMeterFactory"/> scope).
/// </summary>
public sealed class CounterRecorder : IDisposable
{
    private readonly MeterListener _listener;
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public CounterRecorder(HubNode node, string instrument, string tag)
    {
        var scope = node.Services.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (published, listener) =>
            {
                if (published.Meter.Scope == scope && published.Name == instrument)
                {
                    listener.EnableMeasurementEvents(published);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? key = null;
            foreach (var pair in tags)
            {
                if (pair.Key == tag)
                {
                    key = pair.Value as string;
                }
            }

            lock (_counts)
            {
                _counts[key ?? string.Empty] = _counts.GetValueOrDefault(key ?? string.Empty) + value;
            }
        });
        _listener.Start();
    }

    /// <summary>The sum recorded with the tag set to <paramref name="tagValue"/>.</summary>
    public long this[string tagValue]
    {
        get
        {
            lock (_counts)
            {
                return _counts.GetValueOrDefault(tagValue);
            }
        }
    }

    /// <summary>The sum over every tag value.</summary>
    public long Total
    {
        get
        {
            lock (_counts)
            {
                return _counts.Values.Sum();
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
