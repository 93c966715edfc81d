using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Gc;

/// <summary>
/// The store paths the database keeps in the cache (Hydra's <c>hydra-update-gc-roots</c>, for the binary cache): the
/// outputs of the builds of each channel's newest <see cref="GcOptions.ChannelHistoryDepth"/> revisions' evaluations,
/// of kept builds, of each jobset's newest <c>keep_nr</c> evaluations and of unfinished builds, and the outputs of
/// finished steps that unfinished steps still need as inputs.
/// </summary>
public sealed class GcRoots(NpgsqlDataSource dataSource, IOptions<GcOptions> options)
{
    private const string Sql =
        """
        WITH channel_evals AS (
            SELECT evaluation_id FROM (
                SELECT evaluation_id, row_number() OVER (PARTITION BY channel_id ORDER BY id DESC) AS n FROM channel_revisions) r
            WHERE n <= @depth),
        recent_evals AS (
            SELECT id FROM (
                SELECT e.id, j.keep_nr, row_number() OVER (PARTITION BY e.jobset_id ORDER BY e.id DESC) AS n
                FROM evaluations e JOIN jobsets j ON j.id = e.jobset_id) x
            WHERE n <= keep_nr),
        kept_builds AS (
            SELECT m.build_id AS id FROM evaluation_members m
            WHERE m.evaluation_id IN (SELECT evaluation_id FROM channel_evals UNION SELECT id FROM recent_evals)
            UNION SELECT id FROM builds WHERE keep
            UNION SELECT id FROM builds WHERE NOT finished)
        SELECT o.path FROM build_outputs o WHERE o.build_id IN (SELECT id FROM kept_builds)
        UNION
        SELECT unnest(s.output_paths) FROM steps s
        WHERE s.id IN (SELECT d.depends_on_id FROM step_dependencies d JOIN steps u ON u.id = d.step_id WHERE u.state < 3)
        """;

    public async Task<IReadOnlySet<string>> LoadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.AddWithValue("depth", options.Value.ChannelHistoryDepth);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            paths.Add(reader.GetString(0));
        }
        return paths;
    }
}
