using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Eta;

/// <summary>Remembers when each job on a topic was first seen and at what percentage, shared by all nodes.</summary>
internal interface IJobClocks
{
    /// <summary>The first sighting of the job, recording (<paramref name="now"/>, <paramref name="percent"/>) if this is it.</summary>
    Task<JobStart> GetOrStartAsync(Topic topic, string job, DateTimeOffset now, double percent, CancellationToken cancellationToken);
}

/// <summary>When a job was first seen and how far along it was then.</summary>
internal readonly record struct JobStart(DateTimeOffset At, double Percent);
