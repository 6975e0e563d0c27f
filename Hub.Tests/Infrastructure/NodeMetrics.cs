using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Server.Metrics;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// Records every measurement of one node's <c>RealtimeHub</c> meter (or another of its meters) from now on. Each host creates its meter
/// through its own <see cref="IMeterFactory"/> (the meter's scope), so other nodes alive in the test process,
/// which share the meter's name and instruments' names, are not counted. <c>/metrics</c> cannot tell them apart.
/// </summary>
public sealed class NodeMetrics : IDisposable
{
    private readonly MeterListener _listener;
    private readonly List<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = [];

    public NodeMetrics(HubNode node, string meterName = HubMetrics.MeterName)
    {
        var scope = node.Services.GetRequiredService<IMeterFactory>();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == scope && instrument.Meter.Name == meterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of what <paramref name="instrument"/> recorded with every tag given (a counter's total, a gauge's level).</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>How many measurements <paramref name="instrument"/> recorded with every tag given (a histogram's count).</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Count;

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = tags.ToArray();
        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }

    private List<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags)
    {
        lock (_measurements)
        {
            return [.. _measurements.Where(m => m.Instrument == instrument
                && tags.All(t => m.Tags.Any(p => p.Key == t.Key && p.Value as string == t.Value)))];
        }
    }
}
