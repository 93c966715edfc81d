using Npgsql;

namespace Hydra.Web.Channels;

/// <summary>What a channel's evaluations contain: their store paths, a summary, and what changed between two of them.</summary>
public sealed class ChannelQueries(NpgsqlDataSource dataSource)
{
    /// <summary>One job of an evaluation as the channel page compares them: its build and whether it succeeded.</summary>
    public sealed record JobBuild(string Job, string System, long BuildId, string NixName, bool Finished, int? Status);

    /// <summary>An evaluation in a channel's history: when it ran, the expression input's revision, and its build counts.</summary>
    public sealed record EvaluationSummary(long Id, DateTimeOffset CreatedAt, string? Revision, int Builds, int Succeeded, int Unfinished);

    /// <summary>Jobs only in the newer evaluation, only in the older one, and in both with another build.</summary>
    public sealed record Changes(IReadOnlyList<JobBuild> Added, IReadOnlyList<JobBuild> Removed, IReadOnlyList<(JobBuild Before, JobBuild After)> Changed);

    /// <summary>The outputs of the evaluation's successful builds, sorted (Hydra's <c>store-paths</c>).</summary>
    public async Task<IReadOnlyList<string>> StorePathsAsync(long evaluationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT o.path FROM evaluation_members m JOIN builds b ON b.id = m.build_id JOIN build_outputs o ON o.build_id = b.id
            WHERE m.evaluation_id = @id AND b.finished AND b.build_status = 0 ORDER BY o.path
            """);
        command.Parameters.AddWithValue("id", evaluationId);
        return await ReadAllAsync(command, r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyDictionary<long, EvaluationSummary>> SummariesAsync(IEnumerable<long> evaluationIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT e.id, e.created_at, i.revision, count(b.id)::int,
                   count(b.id) FILTER (WHERE b.finished AND b.build_status = 0)::int, count(b.id) FILTER (WHERE NOT b.finished)::int
            FROM evaluations e
            LEFT JOIN evaluation_inputs i ON i.evaluation_id = e.id AND i.name = e.nix_expr_input
            LEFT JOIN evaluation_members m ON m.evaluation_id = e.id LEFT JOIN builds b ON b.id = m.build_id
            WHERE e.id = ANY(@ids) GROUP BY e.id, e.created_at, i.revision
            """);
        command.Parameters.AddWithValue("ids", evaluationIds.Distinct().ToArray());
        var rows = await ReadAllAsync(command, r => new EvaluationSummary(
            r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3), r.GetInt32(4), r.GetInt32(5)), cancellationToken);
        return rows.ToDictionary(r => r.Id);
    }

    /// <summary>Compares two evaluations job by job (job name and system, as Hydra's evaluation comparison matches them).</summary>
    public async Task<Changes> ChangesAsync(long before, long after, CancellationToken cancellationToken)
    {
        var old = await JobsAsync(before, cancellationToken);
        var now = await JobsAsync(after, cancellationToken);
        var added = now.Where(p => !old.ContainsKey(p.Key)).Select(p => p.Value).ToList();
        var removed = old.Where(p => !now.ContainsKey(p.Key)).Select(p => p.Value).ToList();
        var changed = now.Where(p => old.TryGetValue(p.Key, out var o) && o.BuildId != p.Value.BuildId)
            .Select(p => (old[p.Key], p.Value)).ToList();
        return new Changes(added, removed, changed);
    }

    private async Task<SortedDictionary<(string, string), JobBuild>> JobsAsync(long evaluationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT b.job, b.system, b.id, b.nix_name, b.finished, b.build_status
            FROM evaluation_members m JOIN builds b ON b.id = m.build_id WHERE m.evaluation_id = @id ORDER BY b.id
            """);
        command.Parameters.AddWithValue("id", evaluationId);
        var builds = await ReadAllAsync(command, r => new JobBuild(
            r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetBoolean(4), r.IsDBNull(5) ? null : r.GetInt32(5)), cancellationToken);
        var jobs = new SortedDictionary<(string, string), JobBuild>(Comparer<(string, string)>.Create((a, b) =>
            string.CompareOrdinal(a.Item1, b.Item1) is var c and not 0 ? c : string.CompareOrdinal(a.Item2, b.Item2)));
        foreach (var build in builds)
        {
            jobs[(build.Job, build.System)] = build;
        }
        return jobs;
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }
}
