using System.Diagnostics.Metrics;
using RealtimeHub.Server.Delivery;
using RealtimeHub.Server.Metrics;

namespace RealtimeHub.Server.Dashboard;

/// <summary>
/// This node's open connections by transport, read from the hub's own <c>realtimehub.connections</c>
/// instrument, so the dashboard counts exactly what <c>/metrics</c> reports. It listens only to this
/// host's meter (its <see cref="IMeterFactory"/> scope): several hosts in one process keep apart.
/// </summary>
internal sealed class ConnectionTally : IDisposable
{
    private const string Instrument = "realtimehub.connections";

    private readonly MeterListener _listener;
    private readonly Dictionary<string, long> _open = new(StringComparer.Ordinal);

    /// <summary>Starts listening; measurements made before this are not seen, so it is created before the server listens.</summary>
    public ConnectionTally(IMeterFactory meters)
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == HubMetrics.MeterName && instrument.Name == Instrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Open connections per transport, the usual three first.</summary>
    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var snapshot = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (_open)
        {
            foreach (var transport in ConnectionTransport.All)
            {
                snapshot[transport] = Math.Max(0, _open.GetValueOrDefault(transport));
            }

            foreach (var (transport, count) in _open)
            {
                snapshot.TryAdd(transport, Math.Max(0, count));
            }
        }

        return snapshot;
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long delta, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var transport = ConnectionTransport.Other;
        foreach (var tag in tags)
        {
            if (tag.Key == "transport" && tag.Value is string value)
            {
                transport = value;
            }
        }

        lock (_open)
        {
            _open[transport] = _open.GetValueOrDefault(transport) + delta;
        }
    }
}
