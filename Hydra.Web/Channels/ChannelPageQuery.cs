namespace Hydra.Web.Channels;

/// <summary>Loads <see cref="ChannelPageModel"/>.</summary>
internal static class ChannelPageQuery
{
    public static async Task<ChannelPageModel> LoadAsync(
        ChannelStore store, ChannelQueries queries, Channel channel, long? before, long? compare, CancellationToken cancellationToken)
    {
        var current = await store.CurrentAsync(channel.Id, cancellationToken);
        var page = await store.HistoryAsync(channel.Id, before, ChannelEndpoints.HistoryPageSize + 1, cancellationToken);
        long? next = page.Count > ChannelEndpoints.HistoryPageSize ? page[ChannelEndpoints.HistoryPageSize - 1].Id : null;
        var history = page.Take(ChannelEndpoints.HistoryPageSize).ToList();

        // What changed: the chosen revision against the revision before it that pointed elsewhere.
        var compared = compare is { } id ? await store.RevisionAsync(channel.Id, id, cancellationToken) : current;
        ChannelRevision? comparedTo = null;
        ChannelQueries.Changes? changes = null;
        if (compared is not null)
        {
            comparedTo = (await store.HistoryAsync(channel.Id, compared.Id, 50, cancellationToken)).FirstOrDefault(r => r.EvaluationId != compared.EvaluationId);
            if (comparedTo is not null)
            {
                changes = await queries.ChangesAsync(comparedTo.EvaluationId, compared.EvaluationId, cancellationToken);
            }
        }

        var evaluations = await queries.SummariesAsync(
            history.Select(r => r.EvaluationId).Concat(new[] { current, compared, comparedTo }.OfType<ChannelRevision>().Select(r => r.EvaluationId)), cancellationToken);
        return new ChannelPageModel(channel, current, history, before, next, evaluations, compared, comparedTo, changes);
    }
}
