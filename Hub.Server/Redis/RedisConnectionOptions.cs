using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace RealtimeHub.Server.Redis;

/// <summary>Where Redis is (setting <c>Redis__ConnectionString</c>); absent means the embedded single-node default.</summary>
public sealed class RedisConnectionOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, for example <c>127.0.0.1:6379</c>.</summary>
    public string? ConnectionString { get; set; }

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
