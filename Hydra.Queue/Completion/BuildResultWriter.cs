using Hydra.Core.Protocol;
using Npgsql;

namespace Hydra.Queue.Completion;

/// <summary>
/// Stores what a built step's <c>nix-support/</c> declared (products, metrics, release name) on every unfinished
/// build whose top step it is, inside the caller's transaction and before those builds are marked finished.
/// The caller passes entries already checked by <see cref="NixSupportRules"/>.
/// </summary>
internal static class BuildResultWriter
{
    public static async Task RecordAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long stepId,
        IReadOnlyList<BuildProductInfo> products, IReadOnlyList<BuildMetricInfo> metrics, string? releaseName, CancellationToken cancellationToken)
    {
        if (products.Count == 0 && metrics.Count == 0 && releaseName is null)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            UPDATE builds SET release_name = @release WHERE top_step_id = @step AND NOT finished AND @release IS NOT NULL;
            INSERT INTO build_products (build_id, product_nr, type, subtype, file_size, sha256hash, path, name, default_path)
            SELECT b.id, p.nr, p.type, p.subtype, p.size, p.sha256, p.path, p.name, p.default_path
            FROM builds b CROSS JOIN unnest(@nr, @type, @subtype, @size, @sha256, @path, @name, @default)
                AS p(nr, type, subtype, size, sha256, path, name, default_path)
            WHERE b.top_step_id = @step AND NOT b.finished
            ON CONFLICT DO NOTHING;
            INSERT INTO build_metrics (build_id, name, unit, value, jobset_id, job, timestamp)
            SELECT b.id, m.name, m.unit, m.value, b.jobset_id, b.job, b.queued_at
            FROM builds b CROSS JOIN unnest(@metric, @unit, @value) AS m(name, unit, value)
            WHERE b.top_step_id = @step AND NOT b.finished
            ON CONFLICT DO NOTHING;
            """, connection, transaction);
        command.Parameters.AddWithValue("step", stepId);
        command.Parameters.AddWithValue("release", NpgsqlTypes.NpgsqlDbType.Text, (object?)releaseName ?? DBNull.Value);
        command.Parameters.AddWithValue("nr", Enumerable.Range(1, products.Count).ToArray());
        command.Parameters.AddWithValue("type", products.Select(p => p.Type).ToArray());
        command.Parameters.AddWithValue("subtype", products.Select(p => p.Subtype).ToArray());
        command.Parameters.AddWithValue("size", products.Select(p => p.FileSize).ToArray());
        command.Parameters.AddWithValue("sha256", products.Select(p => p.Sha256).ToArray());
        command.Parameters.AddWithValue("path", products.Select(p => p.Path).ToArray());
        command.Parameters.AddWithValue("name", products.Select(p => p.Name).ToArray());
        command.Parameters.AddWithValue("default", products.Select(p => p.DefaultPath).ToArray());
        command.Parameters.AddWithValue("metric", metrics.Select(m => m.Name).ToArray());
        command.Parameters.AddWithValue("unit", metrics.Select(m => m.Unit).ToArray());
        command.Parameters.AddWithValue("value", metrics.Select(m => m.Value).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
