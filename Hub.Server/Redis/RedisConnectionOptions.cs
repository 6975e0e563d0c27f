using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace RealtimeHub.Server.Redis;

/// <summary>
/// Where Redis is (setting <c>Redis__ConnectionString</c>; absent means the embedded single-node default)
/// and how many of its replicas must hold an event before it is acknowledged.
/// </summary>
public sealed class RedisConnectionOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Redis";

    /// <summary>
    /// A StackExchange.Redis configuration string: one server (<c>127.0.0.1:6379</c>), the sentinels of a
    /// Sentinel deployment with its service name (<c>s1:26379,s2:26379,s3:26379,serviceName=mymaster</c>),
    /// or some nodes of a Redis Cluster.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How many replicas must confirm an append (Redis <c>WAIT</c>) before the publisher gets its 202; without
    /// their confirmation within <see cref="ReplicaWait"/> it gets 503 and retries. 0 acknowledges once the primary has it.
    /// </summary>
    [Range(0, 16, ErrorMessage = "Redis:ReplicasToAcknowledge must be between 0 and 16.")]
    public int ReplicasToAcknowledge { get; set; }

    /// <summary>How long an append waits for <see cref="ReplicasToAcknowledge"/> replicas.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30", ErrorMessage = "Redis:ReplicaWait must be between 10 ms and 30 seconds, for example 00:00:01.")]
    public TimeSpan ReplicaWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>True when Redis is configured: backplane, history and bridge all use it.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        string? error = null;
        try
        {
            ConfigurationOptions.Parse(ConnectionString!);
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
        }

        if (error is not null)
        {
            yield return new ValidationResult(
                $"Redis:ConnectionString is not a valid Redis configuration: {error}", [nameof(ConnectionString)]);
        }
    }
}
