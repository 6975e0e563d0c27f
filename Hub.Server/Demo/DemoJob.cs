using System.Security.Cryptography;

namespace RealtimeHub.Server.Demo;

/// <summary>One simulated job of a product: the topic it publishes on and the events it publishes.</summary>
internal abstract class DemoJob(string topic, bool fails)
{
    /// <summary>The topic the job's events go to.</summary>
    public string Topic { get; } = topic;

    /// <summary>True when this job is one of the share that fails (<see cref="DemoOptions.FailureRate"/>).</summary>
    protected bool Fails { get; } = fails;

    /// <summary>Publishes the job's events until it completes or fails.</summary>
    public abstract Task RunAsync(DemoScript script, CancellationToken cancellationToken);

    /// <summary>A short random hexadecimal id part.</summary>
    protected static string Hex(int length) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes((length + 1) / 2))[..length];
}
