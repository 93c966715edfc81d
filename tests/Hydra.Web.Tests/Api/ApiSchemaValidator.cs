using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hydra.Web.Tests.Api;

/// <summary>
/// Checks a JSON value against an OpenAPI 3.0 schema: the subset hydra-api.yaml uses (<c>$ref</c> to
/// <c>#/components/schemas/...</c>, <c>type</c>, <c>nullable</c>, <c>properties</c>, <c>additionalProperties</c>,
/// <c>items</c>, <c>oneOf</c>, <c>required</c>, <c>enum</c>). Properties are optional unless listed in
/// <c>required</c> and extra properties are allowed, as in OpenAPI. A keyword outside the subset fails the
/// check, so the validator cannot silently pass what it does not understand.
/// </summary>
internal sealed class ApiSchemaValidator(JsonObject document)
{
    private static readonly HashSet<string> Understood =
    [
        "$ref", "type", "nullable", "properties", "additionalProperties", "items", "oneOf", "required", "enum",
        "description", "example", "examples", "title", "format",
    ];

    /// <summary>The problems found, each with its JSON path; empty when the value conforms.</summary>
    public List<string> Validate(JsonNode? value, JsonNode schema)
    {
        var errors = new List<string>();
        Check(value, schema, "$", errors);
        return errors;
    }

    private void Check(JsonNode? value, JsonNode schema, string path, List<string> errors)
    {
        var s = schema.AsObject();
        if (s["$ref"] is { } reference)
        {
            // OpenAPI 3.0: a $ref replaces its siblings.
            Check(value, Resolve(reference.GetValue<string>()), path, errors);
            return;
        }
        foreach (var keyword in s.Select(p => p.Key).Where(k => !Understood.Contains(k)))
        {
            errors.Add($"{path}: the schema uses '{keyword}', which this validator does not check");
        }
        if (value is null)
        {
            if (s["nullable"]?.GetValue<bool>() != true)
            {
                errors.Add($"{path}: null where the schema is not nullable");
            }
            return;
        }
        if (s["type"] is { } type && !HasType(value, type.GetValue<string>()))
        {
            errors.Add($"{path}: {Describe(value)} where the schema wants {type.GetValue<string>()}");
            return;
        }
        if (s["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }
        if (s["oneOf"] is JsonArray choices)
        {
            var matching = choices.Count(choice => Validate(value, choice!).Count == 0);
            if (matching != 1)
            {
                errors.Add($"{path}: {Describe(value)} matches {matching} of the oneOf schemas, not exactly one");
            }
        }
        if (value is JsonObject obj)
        {
            CheckObject(obj, s, path, errors);
        }
        if (value is JsonArray array && s["items"] is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, $"{path}[{i}]", errors);
            }
        }
    }

    private void CheckObject(JsonObject obj, JsonObject schema, string path, List<string> errors)
    {
        var properties = schema["properties"]?.AsObject();
        foreach (var name in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (!obj.ContainsKey(name))
            {
                errors.Add($"{path}: required property '{name}' is missing");
            }
        }
        foreach (var (name, child) in obj)
        {
            if (properties?[name] is { } propertySchema)
            {
                Check(child, propertySchema, $"{path}.{name}", errors);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                Check(child, additional, $"{path}.{name}", errors);
            }
        }
    }

    private JsonNode Resolve(string reference)
    {
        const string prefix = "#/components/schemas/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Only local schema references are supported, not '{reference}'.");
        }
        return document["components"]?["schemas"]?[reference[prefix.Length..]]
            ?? throw new InvalidOperationException($"The spec has no schema '{reference}'.");
    }

    private static bool HasType(JsonNode value, string type) => (type, value.GetValueKind()) switch
    {
        ("object", JsonValueKind.Object) => true,
        ("array", JsonValueKind.Array) => true,
        ("string", JsonValueKind.String) => true,
        ("boolean", JsonValueKind.True or JsonValueKind.False) => true,
        ("number", JsonValueKind.Number) => true,
        ("integer", JsonValueKind.Number) => value.AsValue().TryGetValue<long>(out _),
        _ => false,
    };

    private static string Describe(JsonNode value) => $"{value.GetValueKind().ToString().ToLowerInvariant()} {Shorten(value.ToJsonString())}";

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
