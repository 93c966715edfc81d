using Hydra.Evaluator.Declarative;
using Hydra.Evaluator.Inputs;
using System.Text.Json;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Api.Jobsets;

/// <summary>Parses and validates the body of <c>PUT /jobset/{project}/{jobset}</c>.</summary>
internal static class JobsetRequest
{
    /// <summary>Input types the evaluator understands.</summary>
    public static readonly IReadOnlyList<string> SupportedInputTypes = Hydra.Evaluator.Inputs.InputResolver.Types;

    /// <summary>Kinds of stored credential a git input may have.</summary>
    public static readonly IReadOnlyList<string> SecretKinds = [InputSecret.SshKey, InputSecret.Token];

    /// <summary>The settings of jobset <paramref name="name"/>, or a message for a 400 response.</summary>
    public static (JobsetSettings? Settings, string? Error) Parse(string name, RequestFields fields)
    {
        if (!fields.TryGetInt("type", out var type) || type is not (null or 0 or 1))
        {
            return (null, "type must be 0 (a Nix expression in an input: nixexprinput and nixexprpath) or 1 (a flake: flake).");
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

        var (inputs, secrets, inputError) = ParseInputs(fields.GetObject("inputs"));
        if (inputError is not null)
        {
            return (null, inputError);
        }
        var flake = fields.GetString("flake")?.Trim() ?? "";
        string nixExprInput = "", nixExprPath = "";
        if (type == 1)
        {
            // A flake jobset is evaluated from the flake alone; nixexprinput/nixexprpath are ignored.
            if (flake.Length == 0)
            {
                return (null, "A flake jobset (type 1) needs a flake URL, e.g. \"github:owner/repo\" or \"git+https://example.org/repo.git\".");
            }
        }
        else
        {
            nixExprInput = fields.GetString("nixexprinput") ?? "";
            if (!inputs.Any(i => i.Name == nixExprInput))
            {
                var names = inputs.Count == 0 ? "none" : string.Join(", ", inputs.Select(i => i.Name));
                return (null, $"nixexprinput '{nixExprInput}' must name one of the jobset's inputs (inputs: {names}).");
            }
            nixExprPath = fields.GetString("nixexprpath") ?? "";
            if (nixExprPath.Length == 0 || nixExprPath.StartsWith('/') || nixExprPath.Split('/').Contains(".."))
            {
                return (null, $"nixexprpath '{nixExprPath}' must be a relative path inside the input, without '..'.");
            }
        }

        return (new JobsetSettings(new JobsetSpec(
            Name: name,
            Description: fields.GetString("description") ?? "",
            Type: (short)(type ?? 0),
            Flake: type == 1 ? flake : null,
            NixExprInput: nixExprInput,
            NixExprPath: nixExprPath,
            Enabled: (short)(enabled ?? 1),
            Hidden: !fields.GetPresenceBool("visible"),
            CheckInterval: checkInterval ?? 300,
            SchedulingShares: shares ?? 100,
            KeepNr: keepNr ?? 3,
            EmailOverride: fields.GetString("emailoverride") ?? "",
            EnableEmail: fields.GetPresenceBool("enableemail"),
            Inputs: inputs), secrets), null);
    }

    private static (List<JobsetSpecInput> Inputs, Dictionary<string, SecretChange> Secrets, string? Error) ParseInputs(JsonElement? element)
    {
        var inputs = new List<JobsetSpecInput>();
        var secrets = new Dictionary<string, SecretChange>(StringComparer.Ordinal);
        if (element is not { } obj)
        {
            return (inputs, secrets, null);
        }
        foreach (var property in obj.EnumerateObject())
        {
            var name = property.Name;
            if (!InputValueRules.IsValidInputName(name))
            {
                return (inputs, secrets, $"Invalid input name '{name}': it must match ^[A-Za-z_][A-Za-z0-9_-]*$.");
            }
            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                return (inputs, secrets, $"Input '{name}' must be an object {{\"type\", \"value\", \"emailresponsible\"}}.");
            }
            var type = Text(property.Value, "type") ?? "";
            if (!SupportedInputTypes.Contains(type))
            {
                return (inputs, secrets, $"Invalid type '{type}' for input '{name}'; supported input types: {string.Join(", ", SupportedInputTypes)}.");
            }
            var value = Text(property.Value, "value") ?? "";
            if (type == "boolean" && value is not ("true" or "false"))
            {
                return (inputs, secrets, $"Input '{name}' is boolean; its value must be 'true' or 'false'.");
            }
            if (InputValueRules.Check(type, value) is { } problem)
            {
                return (inputs, secrets, $"Input '{name}' of type {type}: its value {problem}.");
            }
            var emailResponsible = property.Value.TryGetProperty("emailresponsible", out var flag)
                && flag.ValueKind is not (JsonValueKind.False or JsonValueKind.Null);
            var (secret, secretError) = ParseSecret(name, type, property.Value);
            if (secretError is not null)
            {
                return (inputs, secrets, secretError);
            }
            inputs.Add(new JobsetSpecInput(name, type, value, emailResponsible));
            if (secret is not null)
            {
                secrets[name] = secret;
            }
        }
        return (inputs, secrets, null);
    }

    /// <summary>
    /// The write-only credential fields of an input: absent <c>secret</c> keeps the stored one,
    /// an empty string removes it, anything else replaces it (with <c>secretkind</c>).
    /// </summary>
    private static (SecretChange? Change, string? Error) ParseSecret(string name, string type, JsonElement input)
    {
        if (!input.TryGetProperty("secret", out var secretElement) || secretElement.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }
        if (secretElement.ValueKind != JsonValueKind.String)
        {
            return (null, $"The secret of input '{name}' must be a string.");
        }
        var secret = secretElement.GetString()!;
        if (secret.Length == 0)
        {
            return (new SecretChange("", ""), null);
        }
        if (type != "git")
        {
            return (null, $"Input '{name}' has type {type}; only git inputs can have a secret.");
        }
        var kind = Text(input, "secretkind") ?? "";
        return SecretKinds.Contains(kind)
            ? (new SecretChange(kind, secret), null)
            : (null, $"Input '{name}' has a secret, so secretkind must be one of: {string.Join(", ", SecretKinds)}.");
    }

    private static string? Text(JsonElement obj, string name) =>
        !obj.TryGetProperty(name, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        };

    /// <summary>Project and jobset names as the API accepts them.</summary>
}
