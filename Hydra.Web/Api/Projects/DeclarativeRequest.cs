using System.Text.Json;
using Hydra.Evaluator.Declarative;

namespace Hydra.Web.Api.Projects;

/// <summary>
/// The <c>declarative</c> field of <c>PUT /project/{name}</c>: <c>{"file", "type", "value"}</c> in
/// JSON, or <c>declarative.file</c>/<c>.type</c>/<c>.value</c> in a form. PUT replaces the project's
/// settings, so an absent field or an empty file means "not declarative", as in Hydra.
/// </summary>
internal static class DeclarativeRequest
{
    /// <summary>The input (null: not declarative), or a message for a 400 response.</summary>
    public static (DeclarativeInput? Input, string? Error) Parse(RequestFields fields)
    {
        string file, type, value;
        if (fields.GetObject("declarative") is { } obj)
        {
            file = Text(obj, "file");
            type = Text(obj, "type");
            value = Text(obj, "value");
        }
        else if (fields.Has("declarative") && fields.GetString("declarative") is { Length: > 0 } other)
        {
            return (null, $"declarative must be an object {{\"file\", \"type\", \"value\"}}, not {other}.");
        }
        else
        {
            file = fields.GetString("declarative.file")?.Trim() ?? "";
            type = fields.GetString("declarative.type")?.Trim() ?? "";
            value = fields.GetString("declarative.value")?.Trim() ?? "";
        }
        if (file.Length == 0)
        {
            return (null, null);
        }
        var input = new DeclarativeInput(file, type, value);
        return input.Validate() is { } error ? (null, error) : (input, null);
    }

    private static string Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : "";
}
