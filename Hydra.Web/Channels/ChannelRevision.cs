namespace Hydra.Web.Channels;

/// <summary>
/// One entry of a channel's history (table <c>channel_revisions</c>); the newest is the channel's current revision.
/// </summary>
/// <param name="Kind"><c>follow</c>, <c>promote</c> or <c>rollback</c> (see <see cref="ChannelRevisionKinds"/>).</param>
/// <param name="PromotedBy">The user who promoted or rolled back; null for an automatic advance.</param>
/// <param name="RolledBackTo">For a rollback: the earlier revision whose evaluation it restored.</param>
public sealed record ChannelRevision(
    long Id, long EvaluationId, long? BuildId, string Kind, string? PromotedBy, long? RolledBackTo, DateTimeOffset CreatedAt);

/// <summary>The values of <c>channel_revisions.kind</c>.</summary>
public static class ChannelRevisionKinds
{
    public const string Follow = "follow";
    public const string Promote = "promote";
    public const string Rollback = "rollback";
}
