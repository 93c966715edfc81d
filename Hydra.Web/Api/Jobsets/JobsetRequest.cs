using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hydra.Web.Api.Jobsets;

/// <summary>Parses and validates the body of <c>PUT /jobset/{project}/{jobset}</c>.</summary>
internal static partial class JobsetRequest
{
    /// <summary>Input types the evaluator understands today.</summary>
    public static readonly IReadOnlyList<string> SupportedInputTypes = ["git", "string", "boolean", "nix", "path"];

    /// <summary>The settings, or a message for a 400 response.</summary>
    public static (JobsetSettings? Settings, string? Error) Parse(RequestFields fields)
    {
        if (!fields.TryGetInt("type", out var type) || type is not (null or 0) || !string.IsNullOrEmpty(fields.GetString("flake")))
        {
            return (null, "Flake jobsets are not supported yet; use a legacy jobset (type 0) with nixexprinput and nixexprpath.");
        }
        if (!fields.TryGetInt("enabled", out var enabled) || enabled is < 0 or > 3)
        {
            return (null, "enabled must be 0 (disabled), 1 (enabled), 2 (one-shot) or 3 (one-at-a-time).");
        }
        if (!fields.TryGetInt("checkinterval", out var checkInterval) || checkInterval < 0)
        {
            return (null, "checkinterval must be a number of seconds, 0 or more (0 means: only when triggered).");
        }
        if (!fields.TryGetInt("schedulingshares", out var shares) || shares <= 0)
        {
            return (null, "schedulingshares must be a positive integer.");
        }
        if (!fields.TryGetInt("keepnr", out var keepNr) || keepNr < 0)
        {
            return (null, "keepnr must be 0 or more.");
        }

        var (inputs, inputError) = ParseInputs(fields.GetObject("inputs"));
        if (inputError is not null)
        {
            return (null, inputError);
        }
        var nixExprInput = fields.GetString("nixexprinput") ?? "";
        if (!inputs.Any(i => i.Name == nixExprInput))
        {
            var names = inputs.Count == 0 ? "none" : string.Join(", ", inputs.Select(i => i.Name));
            return (null, $"nixexprinput '{nixExprInput}' must name one of the jobset's inputs (inputs: {names}).");
        }
        var nixExprPath = fields.GetString("nixexprpath") ?? "";
        if (nixExprPath.Length == 0 || nixExprPath.StartsWith('/') || nixExprPath.Split('/').Contains(".."))
        {
            return (null, $"nixexprpath '{nixExprPath}' must be a relative path inside the input, without '..'.");
        }

        return (new JobsetSettings(
            Description: fields.GetString("description") ?? "",
            NixExprInput: nixExprInput,
            NixExprPath: nixExprPath,
            Enabled: (short)(enabled ?? 1),
            Hidden: !fields.GetPresenceBool("visible"),
            CheckInterval: checkInterval ?? 300,
            SchedulingShares: shares ?? 100,
            KeepNr: keepNr ?? 3,
            EmailOverride: fields.GetString("emailoverride") ?? "",
            EnableEmail: fields.GetPresenceBool("enableemail"),
            Inputs: inputs), null);
    }

    private static (List<JobsetInputJson> Inputs, string? Error) ParseInputs(JsonElement? element)
    {
        var inputs = new List<JobsetInputJson>();
        if (element is not { } obj)
        {
            return (inputs, null);
        }
        foreach (var property in obj.EnumerateObject())
        {
            var name = property.Name;
            if (!InputNamePattern().IsMatch(name))
            {
                return (inputs, $"Invalid input name '{name}': it must match ^[A-Za-z_][A-Za-z0-9_-]*$.");
            }
            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                return (inputs, $"Input '{name}' must be an object {{\"type\", \"value\", \"emailresponsible\"}}.");
            }
            var type = Text(property.Value, "type") ?? "";
            if (!SupportedInputTypes.Contains(type))
            {
                return (inputs, $"Invalid type '{type}' for input '{name}'; supported input types: {string.Join(", ", SupportedInputTypes)}.");
            }
            var value = Text(property.Value, "value") ?? "";
            if (type == "boolean" && value is not ("true" or "false"))
            {
                return (inputs, $"Input '{name}' is boolean; its value must be 'true' or 'false'.");
            }
            if (type is "git" or "path" && string.IsNullOrWhiteSpace(value))
            {
                return (inputs, $"Input '{name}' of type {type} needs a value (a URL or path).");
            }
            var emailResponsible = property.Value.TryGetProperty("emailresponsible", out var flag)
                && flag.ValueKind is not (JsonValueKind.False or JsonValueKind.Null);
            inputs.Add(new JobsetInputJson(name, type, value, emailResponsible));
        }
        return (inputs, null);
    }

    private static string? Text(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex InputNamePattern();
}
