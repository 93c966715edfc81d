using System.Text.Json;
using Npgsql;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// Writes a JSON array of builds in Hydra's Build shape (the same keys as <see cref="BuildJson"/>) straight
/// from an Npgsql reader to the response, a batch of rows at a time: an evaluation of 100,000 builds starts
/// answering as soon as PostgreSQL returns its first row and never sits in memory as a whole. PostgreSQL
/// assembles each build's outputs, evaluations, metrics and products as JSON text (a few index look-ups
/// per row); the row loop copies them through unparsed.
/// </summary>
internal static class BuildJsonStream
{
    // The next batch of builds whose ids IDS selects (a query of one column "id", keyed on @after and
    // limited to @batch), by id, with their per-row aggregates.
    private const string SelectBuilds = """
        SELECT b.id, b.job, b.nix_name, b.description, p.name, j.name, b.system, b.drv_path, b.finished,
               b.build_status, b.start_time, b.stop_time, b.queued_at, b.priority, b.is_cached_build, b.release_name, b.keep,
               (SELECT coalesce(json_object_agg(o.name, json_build_object('path', o.path)), '{}')
                  FROM build_outputs o WHERE o.build_id = b.id)::text,
               (SELECT coalesce(json_agg(m.evaluation_id ORDER BY m.evaluation_id), '[]')
                  FROM evaluation_members m WHERE m.build_id = b.id)::text,
               (SELECT coalesce(json_object_agg(bm.name, json_build_object('name', bm.name, 'value', bm.value, 'unit', bm.unit) ORDER BY bm.name), '{}')
                  FROM build_metrics bm WHERE bm.build_id = b.id)::text,
               (SELECT coalesce(json_object_agg(bp.product_nr::text, json_build_object(
                         'type', bp.type, 'subtype', bp.subtype, 'name', bp.name, 'filesize', bp.file_size,
                         'sha256hash', bp.sha256hash, 'path', bp.path, 'defaultpath', bp.default_path) ORDER BY bp.product_nr), '{}')
                  FROM build_products bp WHERE bp.build_id = b.id)::text
        FROM (IDS) AS selected
        JOIN builds b ON b.id = selected.id
        JOIN jobsets j ON j.id = b.jobset_id
        JOIN projects p ON p.id = j.project_id
        ORDER BY b.id
        """;

    /// <summary>
    /// Builds per query and per flush. Reading in keyset batches keeps every query a small ordered index range
    /// (one query for all rows lets PostgreSQL choose a hash join and a sort, so nothing arrives until
    /// everything is done), and bounds what is in flight.
    /// </summary>
    private const int Batch = 1000;

    /// <summary>The builds of evaluation <c>@id</c>.</summary>
    public const string OfEvaluation = """
        SELECT build_id AS id FROM evaluation_members WHERE evaluation_id = @id AND build_id > @after ORDER BY build_id LIMIT @batch
        """;

    /// <summary>The constituents of aggregate build <c>@id</c>.</summary>
    public const string ConstituentsOf = """
        SELECT constituent_id AS id FROM aggregate_constituents WHERE aggregate_id = @id AND constituent_id > @after ORDER BY constituent_id LIMIT @batch
        """;

    /// <summary>A result that streams the builds <paramref name="ids"/> (one of this class's constants) selects for <paramref name="id"/>.</summary>
    public static IResult Result(NpgsqlDataSource dataSource, string ids, long id) =>
        new StreamedResult(dataSource, ids, id);

    private sealed class StreamedResult(NpgsqlDataSource dataSource, string ids, long id) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellationToken = httpContext.RequestAborted;
            var response = httpContext.Response;
            response.ContentType = "application/json; charset=utf-8";
            await using var json = new Utf8JsonWriter(response.BodyWriter);
            json.WriteStartArray();
            var sql = SelectBuilds.Replace("IDS", ids, StringComparison.Ordinal);
            long after = 0;
            int rows;
            do
            {
                rows = 0;
                await using var command = dataSource.CreateCommand(sql);
                command.Parameters.AddWithValue("id", id);
                command.Parameters.AddWithValue("after", after);
                command.Parameters.AddWithValue("batch", Batch);
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        after = WriteBuild(json, reader);
                        rows++;
                    }
                }
                // The writer's flush only hands its bytes to the pipe; the pipe's flush sends them.
                await json.FlushAsync(cancellationToken);
                await response.BodyWriter.FlushAsync(cancellationToken);
            }
            while (rows == Batch);
            json.WriteEndArray();
            await json.FlushAsync(cancellationToken);
        }
    }

    /// <summary>Writes one build and returns its id.</summary>
    private static long WriteBuild(Utf8JsonWriter json, NpgsqlDataReader row)
    {
        var id = row.GetInt64(0);
        var finished = row.GetBoolean(8);
        json.WriteStartObject();
        json.WriteNumber("id", id);
        json.WriteString("job", row.GetString(1));
        json.WriteString("nixname", row.GetString(2));
        WriteNullableString(json, "description", row, 3);
        json.WriteString("project", row.GetString(4));
        json.WriteString("jobset", row.GetString(5));
        json.WriteString("system", row.GetString(6));
        json.WriteString("drvpath", row.GetString(7));
        json.WriteNumber("finished", finished ? 1 : 0);
        if (finished && !row.IsDBNull(9))
        {
            json.WriteNumber("buildstatus", row.GetInt32(9));
        }
        else
        {
            json.WriteNull("buildstatus");
        }
        WriteUnixTime(json, "starttime", row, 10);
        WriteUnixTime(json, "stoptime", row, 11);
        WriteUnixTime(json, "timestamp", row, 12);
        json.WriteNumber("priority", row.GetInt32(13));
        json.WriteNumber("iscachedbuild", row.GetBoolean(14) ? 1 : 0);
        WriteNullableString(json, "releasename", row, 15);
        json.WritePropertyName("buildoutputs");
        json.WriteRawValue(row.GetString(17), skipInputValidation: true);
        json.WritePropertyName("jobsetevals");
        json.WriteRawValue(row.GetString(18), skipInputValidation: true);
        json.WritePropertyName("buildmetrics");
        json.WriteRawValue(row.GetString(19), skipInputValidation: true);
        json.WritePropertyName("buildproducts");
        json.WriteRawValue(row.GetString(20), skipInputValidation: true);
        json.WriteNumber("keep", row.GetBoolean(16) ? 1 : 0);
        json.WriteEndObject();
        return id;
    }

    private static void WriteNullableString(Utf8JsonWriter json, string name, NpgsqlDataReader row, int ordinal)
    {
        if (row.IsDBNull(ordinal))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, row.GetString(ordinal));
        }
    }

    private static void WriteUnixTime(Utf8JsonWriter json, string name, NpgsqlDataReader row, int ordinal)
    {
        if (row.IsDBNull(ordinal))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, row.GetFieldValue<DateTimeOffset>(ordinal).ToUnixTimeSeconds());
        }
    }
}
