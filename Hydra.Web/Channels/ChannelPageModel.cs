namespace Hydra.Web.Channels;

/// <summary>
/// <c>GET /channel/{name}</c>: the current revision, a page of history (newest first, <c>?before=ID</c>) and what changed
/// between the revision <c>?compare=ID</c> (default the current one) and the revision before it.
/// </summary>
public sealed record ChannelPageModel(
    Channel Channel,
    ChannelRevision? Current,
    IReadOnlyList<ChannelRevision> History,
    long? Before,
    long? NextBefore,
    IReadOnlyDictionary<long, ChannelQueries.EvaluationSummary> Evaluations,
    ChannelRevision? Compared,
    ChannelRevision? ComparedTo,
    ChannelQueries.Changes? Changes);
