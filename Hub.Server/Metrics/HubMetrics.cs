using System.Diagnostics.Metrics;

namespace RealtimeHub.Server.Metrics;

/// <summary>The hub's own instruments (meter <c>RealtimeHub</c>), created per host through <see cref="IMeterFactory"/>.</summary>
internal sealed class HubMetrics
{
    /// <summary>The meter name, for exporters and listeners.</summary>
    public const string MeterName = "RealtimeHub";

    private readonly Counter<long> _eventsAccepted;
    private readonly Counter<long> _replaysServed;
    private readonly UpDownCounter<long> _connections;

    public HubMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _eventsAccepted = meter.CreateCounter<long>("realtimehub.events.accepted", "{event}", "Events stored and handed to the backplane.");
        _replaysServed = meter.CreateCounter<long>("realtimehub.replays.served", "{replay}", "Resumes answered from history.");
        _connections = meter.CreateUpDownCounter<long>("realtimehub.connections", "{connection}", "Open connections by transport.");
    }

    public void EventAccepted(string family) => _eventsAccepted.Add(1, new KeyValuePair<string, object?>("family", family));

    public void ReplayServed(string route) => _replaysServed.Add(1, new KeyValuePair<string, object?>("route", route));

    public void ConnectionOpened(string transport) => _connections.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void ConnectionClosed(string transport) => _connections.Add(-1, new KeyValuePair<string, object?>("transport", transport));
}
