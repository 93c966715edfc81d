using System.Text.Json;
using Npgsql;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// Writes a JSON array of builds in Hydra's Build shape (the same keys as <see cref="BuildJson"/>) straight
/// from an Npgsql reader to the response, one row at a time: an evaluation of 100,000 builds starts
/// answering as soon as PostgreSQL returns its first row and never sits in memory as a whole. PostgreSQL
/// assembles each build's outputs, evaluations, metrics and products as JSON text (a few index look-ups
/// per row); the row loop copies them through unparsed.
/// </summary>
internal static class BuildJsonStream
{
    // Every selected build, with the same joins and per-row aggregates; TAIL is the FROM/WHERE/ORDER BY
    // that names the builds as "b".
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
        TAIL
        """;

    /// <summary>Rows between flushes: small enough that the first bytes leave at once, large enough to batch writes.</summary>
    private const int FlushEvery = 256;

    /// <summary>The builds of evaluation <c>@id</c>, by id.</summary>
    public const string OfEvaluation = """
        FROM evaluation_members em
        JOIN builds b ON b.id = em.build_id
        JOIN jobsets j ON j.id = b.jobset_id
        JOIN projects p ON p.id = j.project_id
        WHERE em.evaluation_id = @id
        ORDER BY em.build_id
        """;

    /// <summary>The constituents of aggregate build <c>@id</c>, by id.</summary>
    public const string ConstituentsOf = """
        FROM aggregate_constituents ac
        JOIN builds b ON b.id = ac.constituent_id
        JOIN jobsets j ON j.id = b.jobset_id
        JOIN projects p ON p.id = j.project_id
        WHERE ac.aggregate_id = @id
        ORDER BY ac.constituent_id
        """;

    /// <summary>A result that streams the builds selected by <paramref name="tail"/> (one of this class's constants) for <paramref name="id"/>.</summary>
    public static IResult Result(NpgsqlDataSource dataSource, string tail, long id) =>
        new StreamedResult(dataSource, tail, id);

    private sealed class StreamedResult(NpgsqlDataSource dataSource, string tail, long id) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var cancellationToken = httpContext.RequestAborted;
            await using var command = dataSource.CreateCommand(SelectBuilds.Replace("TAIL", tail, StringComparison.Ordinal));
            command.Parameters.AddWithValue("id", id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);

            var response = httpContext.Response;
            response.ContentType = "application/json; charset=utf-8";
            await using var json = new Utf8JsonWriter(response.BodyWriter);
            json.WriteStartArray();
            var rows = 0;
            while (await reader.ReadAsync(cancellationToken))
            {
                WriteBuild(json, reader);
                if (++rows % FlushEvery == 0)
                {
                    await json.FlushAsync(cancellationToken);
                }
            }
            json.WriteEndArray();
            await json.FlushAsync(cancellationToken);
        }
    }

    private static void WriteBuild(Utf8JsonWriter json, NpgsqlDataReader row)
    {
        var finished = row.GetBoolean(8);
        json.WriteStartObject();
        json.WriteNumber("id", row.GetInt64(0));
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
