using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Hydra.Web.Tests.Api;

/// <summary>
/// hydra-api.yaml (Hydra's own OpenAPI description, copied beside this file) read into JSON, with the
/// response schema of each documented operation, corrected by <see cref="Errata"/> where Hydra's server
/// has always answered otherwise and its clients rely on the server, not the spec.
/// </summary>
internal static class ApiSpec
{
    /// <summary>The paths and methods hydra-api.yaml documents, e.g. ("/build/{build-id}", "get").</summary>
    public static IEnumerable<(string Path, string Method)> Operations =>
        Document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key)));

    /// <summary>The JSON schema of the <paramref name="status"/> response of an operation, or null when the spec gives none.</summary>
    public static JsonNode? ResponseSchema(string path, string method, int status) =>
        Document["paths"]?[path]?[method]?["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["content"]?["application/json"]?["schema"];

    /// <summary>
    /// Where hydra-api.yaml contradicts what Hydra's server sends (and so what clients parse). Each entry is a
    /// JSON path into the document, the replacement and why; applied once on load.
    /// </summary>
    public static IReadOnlyList<(string Path, string Json, string Why)> Errata { get; } =
    [
        ("components/schemas/Build/properties/finished", """{"type":"integer","enum":[0,1]}""",
            "Hydra writes the finished column as 0/1 (its own example says finished: 1)."),
        ("components/schemas/Build/properties/starttime", """{"type":"integer","nullable":true}""", "null until the build starts."),
        ("components/schemas/Build/properties/stoptime", """{"type":"integer","nullable":true}""", "null until the build stops."),
        ("components/schemas/Build/properties/buildmetrics",
            """{"type":"object","additionalProperties":{"type":"object","properties":{"name":{"type":"string"},"value":{"type":"number"},"unit":{"type":"string"}}}}""",
            "Hydra sends a map from metric name to {name, value, unit}, value a number; the spec describes one metric."),
        ("components/schemas/JobsetEval/properties/hasnewbuilds", """{"type":"integer","enum":[0,1]}""",
            "0/1 like finished (the spec's own evals example says hasnewbuilds: 1)."),
        ("components/schemas/JobsetEvalInput/properties/value",
            """{"nullable":true,"oneOf":[{"type":"boolean"},{"type":"string"},{"type":"array","items":{"type":"string"}}]}""",
            "The spec puts type: boolean beside the oneOf, which would refuse every string value."),
        ("components/schemas/JobsetEvalBuilds", """{"type":"array","items":{"$ref":"#/components/schemas/Build"}}""",
            "The array's items are Builds, not objects whose every property is a Build."),
        ("components/schemas/Evaluations/properties/evals", """{"type":"array","items":{"$ref":"#/components/schemas/JobsetEval"}}""",
            "Likewise: the items are JobsetEvals."),
        ("paths/~1jobset~1{project-id}~1{jobset-id}~1evals/get/responses/200/content/application~1json/schema",
            """{"$ref":"#/components/schemas/Evaluations"}""",
            "The answer is one Evaluations object ({evals, first, last, next}), as the spec's own example shows."),
        ("components/schemas/JobsetOverview/items/properties/errortime", """{"type":"integer","nullable":true}""", "null when the jobset never failed."),
        ("components/schemas/JobsetOverview/items/properties/lastcheckedtime", """{"type":"integer","nullable":true}""", "null before the first check."),
        ("components/schemas/JobsetOverview/items/properties/fetcherrormsg", """{"type":"string","nullable":true}""", "The spec leaves out the type."),
    ];

    // After Errata: static initialisers run in textual order.
    public static JsonObject Document { get; } = Load();

    public static ApiSchemaValidator Validator { get; } = new(Document);

    private static JsonObject Load()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "Api", "hydra-api.yaml")))
        {
            yaml.Load(reader);
        }
        var document = ToJson(yaml.Documents[0].RootNode)!.AsObject();
        foreach (var (path, json, _) in Errata)
        {
            var segments = path.Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal)).ToArray();
            var parent = segments[..^1].Aggregate((JsonNode)document, (node, segment) =>
                node[segment] ?? throw new InvalidOperationException($"Erratum path '{path}' is not in the spec."));
            parent[segments[^1]] = JsonNode.Parse(json);
        }
        return document;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar => Plain(scalar.Value),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}."),
    };

    /// <summary>Unquoted YAML scalars: the booleans, integers and null the spec uses, else text.</summary>
    private static JsonNode? Plain(string? text) => text switch
    {
        null or "null" or "~" or "" => null,
        "true" => JsonValue.Create(true),
        "false" => JsonValue.Create(false),
        _ when long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
        _ => JsonValue.Create(text),
    };
}
