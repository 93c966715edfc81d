using System.Text.Json.Nodes;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// Turns the JSON of one job (from eval-jobs.nix or a nix-eval-jobs line) into an <see cref="EvaluatedJob"/>,
/// applying Hydra's meta rules: license short names (or SPDX ids, or plain strings) and maintainer
/// emails comma-joined, schedulingPriority 100 by default, isChannel from isChannel or isHydraChannel.
/// </summary>
internal static class JobRecordReader
{
    public static EvaluatedJob Read(string name, JsonObject record)
    {
        var meta = record["meta"] as JsonObject ?? [];
        return new EvaluatedJob(
            name,
            (string)record["drvPath"]!,
            (string?)record["name"] ?? name,
            (string?)record["system"] ?? "unknown",
            (record["outputs"] as JsonObject ?? []).Where(o => o.Value is JsonValue)
                .ToDictionary(o => o.Key, o => (string)o.Value!),
            String(meta["description"]))
        {
            License = JoinList(meta["license"], "shortName", "spdxId"),
            Homepage = String(meta["homepage"]),
            Maintainers = JoinList(meta["maintainers"], "email"),
            SchedulingPriority = Int(meta["schedulingPriority"]) ?? 100,
            Timeout = Int(meta["timeout"]),
            MaxSilent = Int(meta["maxSilent"]),
            IsChannel = Bool(meta["isChannel"]) || Bool(meta["isHydraChannel"]),
        };
    }

    /// <summary>A single value or a list; attribute sets contribute the first of <paramref name="keys"/> they have.</summary>
    private static string? JoinList(JsonNode? node, params string[] keys)
    {
        IEnumerable<JsonNode?> items = node is JsonArray array ? array : [node];
        var parts = items
            .Select(item => item is JsonObject set ? keys.Select(k => String(set[k])).FirstOrDefault(v => v is not null) : String(item))
            .Where(p => !string.IsNullOrEmpty(p))
            .ToList();
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static string? String(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static int? Int(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }
        if (value.TryGetValue<int>(out var number))
        {
            return number;
        }
        if (value.TryGetValue<double>(out var real))
        {
            return (int)real;
        }
        return value.TryGetValue<string>(out var text) && int.TryParse(text, out var parsed) ? parsed : null;
    }

    private static bool Bool(JsonNode? node) => node is JsonValue value && value.TryGetValue<bool>(out var flag) && flag;
}
