using System.Text.Json.Nodes;
using Npgsql;

namespace Hydra.Core.Notifications.Sinks;

/// <summary>
/// The JSON description of an event: for a build, Hydra's <c>$HYDRA_JSON</c> (RunCommand) shape with its
/// outputs, products and metrics; for an evaluation, the jobset, evaluation and message. Sent by the signed
/// webhook and written to the file a RunCommand reads.
/// </summary>
public sealed class EventJson(NpgsqlDataSource dataSource)
{
    public async Task<JsonObject> CreateAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var json = new JsonObject
        {
            ["event"] = EventName(context.Event.Kind),
            ["timestamp"] = context.Event.CreatedAt.ToUnixTimeSeconds(),
            ["project"] = context.Project,
            ["jobset"] = context.Jobset,
            ["evaluation"] = context.EvaluationId,
            ["url"] = NotificationText.Link(context),
        };
        if (context.Event.Message is { } message)
        {
            json["message"] = message;
        }
        if (context.Build is { } build)
        {
            json["build"] = build.Id;
            json["job"] = build.Job;
            json["drvPath"] = build.DrvPath;
            json["nixName"] = build.NixName;
            json["system"] = build.System;
            json["description"] = build.Description;
            json["finished"] = context.Event.Kind == NotificationEventKinds.BuildFinished;
            json["buildStatus"] = context.Event.Kind == NotificationEventKinds.BuildFinished ? build.Status : null;
            json["startTime"] = build.StartTime?.ToUnixTimeSeconds();
            json["stopTime"] = build.StopTime?.ToUnixTimeSeconds();
            json["outputs"] = new JsonArray(build.Outputs.Select(o => (JsonNode)new JsonObject { ["name"] = o.Name, ["path"] = o.Path }).ToArray());
            json["products"] = await ProductsAsync(build.Id, cancellationToken);
            json["metrics"] = await MetricsAsync(build.Id, cancellationToken);
        }
        if (context.Event.Kind == NotificationEventKinds.EvaluationCompleted)
        {
            json["builds"] = new JsonArray(context.Jobs.Select(j => (JsonNode)new JsonObject
            {
                ["build"] = j.BuildId, ["job"] = j.Job, ["buildStatus"] = j.Status,
            }).ToArray());
        }
        return json;
    }

    /// <summary>"build_finished" becomes Hydra's "buildFinished".</summary>
    public static string EventName(string kind)
    {
        var parts = kind.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }

    private async Task<JsonArray> ProductsAsync(long buildId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT name, type, subtype, file_size, sha256hash, path, default_path FROM build_products WHERE build_id = @id ORDER BY product_nr");
        command.Parameters.AddWithValue("id", buildId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var products = new JsonArray();
        while (await reader.ReadAsync(cancellationToken))
        {
            products.Add(new JsonObject
            {
                ["name"] = reader.GetString(0), ["type"] = reader.GetString(1), ["subtype"] = reader.GetString(2),
                ["fileSize"] = reader.IsDBNull(3) ? null : reader.GetInt64(3), ["sha256hash"] = reader.IsDBNull(4) ? null : reader.GetString(4),
                ["path"] = reader.GetString(5), ["defaultPath"] = reader.GetString(6),
            });
        }
        return products;
    }

    private async Task<JsonArray> MetricsAsync(long buildId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT name, unit, value FROM build_metrics WHERE build_id = @id ORDER BY name");
        command.Parameters.AddWithValue("id", buildId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var metrics = new JsonArray();
        while (await reader.ReadAsync(cancellationToken))
        {
            metrics.Add(new JsonObject { ["name"] = reader.GetString(0), ["unit"] = reader.GetString(1), ["value"] = reader.GetDouble(2) });
        }
        return metrics;
    }
}
