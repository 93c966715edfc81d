using Hydra.Core.Protocol;
using Npgsql;
using NpgsqlTypes;

namespace Hydra.Queue.Completion;

/// <summary>
/// Stores what a built step's <c>nix-support/</c> declared (products and metrics) on every unfinished build whose
/// top step it is, in the same statement that finishes those builds (<see cref="StepTransitions.SucceedCtes"/>
/// sets the release name). The caller passes entries already checked by <see cref="NixSupportRules"/>.
/// </summary>
internal static class BuildResultWriter
{
    /// <summary>Common table expressions over <c>target</c> (the succeeding step); they insert nothing for empty lists.</summary>
    public const string Ctes =
        """
        products AS (
            INSERT INTO build_products (build_id, product_nr, type, subtype, file_size, sha256hash, path, name, default_path)
            SELECT b.id, p.nr, p.type, p.subtype, p.size, p.sha256, p.path, p.name, p.default_path
            FROM builds b
            CROSS JOIN unnest(@nr, @type, @subtype, @size, @sha256, @path, @name, @default) AS p(nr, type, subtype, size, sha256, path, name, default_path)
            WHERE b.top_step_id = (SELECT id FROM target) AND NOT b.finished
            ON CONFLICT DO NOTHING
        ), metrics AS (
            INSERT INTO build_metrics (build_id, name, unit, value, jobset_id, job, timestamp)
            SELECT b.id, m.name, m.unit, m.value, b.jobset_id, b.job, b.queued_at
            FROM builds b
            CROSS JOIN unnest(@metric, @unit, @value) AS m(name, unit, value)
            WHERE b.top_step_id = (SELECT id FROM target) AND NOT b.finished
            ON CONFLICT DO NOTHING
        )
        """;

    /// <summary>Binds the lists <see cref="Ctes"/> reads, and the release name <see cref="StepTransitions.SucceedCtes"/> reads.</summary>
    public static void AddParameters(NpgsqlCommand command, IReadOnlyList<BuildProductInfo> products, IReadOnlyList<BuildMetricInfo> metrics, string? releaseName)
    {
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter("release", NpgsqlDbType.Text) { Value = (object?)releaseName ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter<int[]>("nr", Enumerable.Range(1, products.Count).ToArray()));
        parameters.Add(new NpgsqlParameter<string[]>("type", products.Select(p => p.Type).ToArray()));
        parameters.Add(new NpgsqlParameter<string[]>("subtype", products.Select(p => p.Subtype).ToArray()));
        parameters.Add(new NpgsqlParameter<long?[]>("size", products.Select(p => p.FileSize).ToArray()));
        parameters.Add(new NpgsqlParameter<string?[]>("sha256", products.Select(p => p.Sha256).ToArray()));
        parameters.Add(new NpgsqlParameter<string[]>("path", products.Select(p => p.Path).ToArray()));
        parameters.Add(new NpgsqlParameter<string[]>("name", products.Select(p => p.Name).ToArray()));
        parameters.Add(new NpgsqlParameter<string[]>("default", products.Select(p => p.DefaultPath).ToArray()));
        parameters.Add(new NpgsqlParameter<string[]>("metric", metrics.Select(m => m.Name).ToArray()));
        parameters.Add(new NpgsqlParameter<string[]>("unit", metrics.Select(m => m.Unit).ToArray()));
        parameters.Add(new NpgsqlParameter<double[]>("value", metrics.Select(m => m.Value).ToArray()));
    }
}
