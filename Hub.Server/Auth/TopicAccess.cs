using System.Security.Claims;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Auth;

/// <summary>
/// Who may read and publish which topic (docs/contract.md, Auth). Admins may do anything. A reader needs a
/// grant (<c>merchant_id</c> for its merchant topic, a <c>topics</c> entry or <c>*</c>-prefix, or the
/// topic's recorded organisation), and where an organisation is recorded for the topic the caller's
/// <c>organization_id</c> must be that one. Publishers need the publisher role and the same organisation
/// rule. With auth off (Development only) everything is allowed.
/// </summary>
internal sealed class TopicAccess(IOptions<AuthOptions> options, ITopicOwners owners)
{
    public bool IsOpen => !options.Value.Enabled;

    public async Task<bool> MayReadAsync(ClaimsPrincipal user, Topic topic, CancellationToken cancellationToken)
    {
        if (IsOpen || user.IsAdmin())
        {
            return true;
        }

        var organization = user.FindFirst(HubClaims.OrganizationId)?.Value;
        var owner = await owners.GetAsync(topic, cancellationToken);
        if (owner is not null)
        {
            return string.Equals(owner, organization, StringComparison.Ordinal);
        }

        return IsGranted(user, topic);
    }

    /// <summary>
    /// True when the caller may publish to <paramref name="topic"/>; a caller of one organisation can neither
    /// publish to another's topic nor publish data naming another organisation.
    /// </summary>
    public async Task<bool> MayPublishAsync(ClaimsPrincipal user, Topic topic, string? dataOrganization, CancellationToken cancellationToken)
    {
        if (IsOpen || user.IsAdmin())
        {
            return true;
        }

        if (!user.MayPublish())
        {
            return false;
        }

        var organization = user.FindFirst(HubClaims.OrganizationId)?.Value;
        if (organization is null)
        {
            return true;
        }

        var owner = await owners.GetAsync(topic, cancellationToken);
        return (owner is null || string.Equals(owner, organization, StringComparison.Ordinal))
            && (dataOrganization is null || string.Equals(dataOrganization, organization, StringComparison.Ordinal));
    }

    private static bool IsGranted(ClaimsPrincipal user, Topic topic)
    {
        var name = topic.ToString();
        if (topic.Family == TopicFamily.Merchant && user.FindAll(HubClaims.MerchantId).Any(c => c.Value == topic.Id))
        {
            return true;
        }

        return user.FindAll(HubClaims.Topics).Any(grant => grant.Value.EndsWith('*')
            ? name.StartsWith(grant.Value[..^1], StringComparison.Ordinal)
            : string.Equals(grant.Value, name, StringComparison.Ordinal));
    }
}
