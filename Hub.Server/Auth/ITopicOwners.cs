using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Auth;

/// <summary>
/// The organisation each topic belongs to, as recorded by its first publisher (the bom envelope's
/// <c>organization_id</c>). Remembered for the history retention after the last publish.
/// </summary>
internal interface ITopicOwners
{
    /// <summary>The recorded organisation of <paramref name="topic"/>, if any.</summary>
    Task<string?> GetAsync(Topic topic, CancellationToken cancellationToken);

    /// <summary>Records <paramref name="organization"/> unless another is recorded; returns the one that is.</summary>
    Task<string> ClaimAsync(Topic topic, string organization, CancellationToken cancellationToken);
}
