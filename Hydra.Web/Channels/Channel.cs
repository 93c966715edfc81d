namespace Hydra.Web.Channels;

/// <summary>A channel: a named pointer to an evaluation of a jobset (table <c>channels</c>).</summary>
/// <param name="FollowJob">The job whose success advances the channel; null when it is only promoted by hand.</param>
public sealed record Channel(
    long Id, string Name, long JobsetId, string Project, string Jobset, string? FollowJob, string Description, DateTimeOffset CreatedAt);
