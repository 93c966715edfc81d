using System.Text.Json;
using System.Text.RegularExpressions;
using Hydra.Evaluator.Inputs;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Reads Hydra's declarative specs: a JSON object mapping jobset names to jobset specs with the
/// keys Hydra allows (the static form, and the output of a generated project's <c>jobsets</c>
/// build), or one jobset spec configuring <c>.jobsets</c> (the generated form). Every problem is
/// collected, so one commit can fix them all, and any problem rejects the whole spec: a
/// half-applied spec would leave the project in a state nobody wrote.
/// </summary>
public static partial class DeclarativeSpecParser
{
    /// <summary>The keys of a jobset spec, as Hydra's declarative jobsets accept them.</summary>
    public static readonly IReadOnlyList<string> JobsetKeys =
    [
        "enabled", "hidden", "description", "type", "flake", "nixexprinput", "nixexprpath", "checkinterval",
        "schedulingshares", "enableemail", "enable_dynamic_run_command", "emailoverride", "keepnr", "inputs",
    ];

    private static readonly IReadOnlyList<string> InputKeys = ["type", "value", "emailresponsible"];

    /// <summary>More than this many problems are summarised, so the message stays readable on the jobset page.</summary>
    private const int MaxReportedErrors = 20;

    /// <summary>
    /// Reads a project's spec file in either of Hydra's forms: an object whose values are all objects
    /// lists the jobsets (static form); any other object is one jobset spec for <c>.jobsets</c>, whose
    /// <c>jobsets</c> build writes the list (generated form).
    /// </summary>
    /// <exception cref="DeclarativeSpecException">The spec is malformed; the message says where and why.</exception>
    public static DeclarativeSpec Read(string json, string file)
    {
        using var document = ParseDocument(json, file);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DeclarativeSpecException(
                $"{file} must be a JSON object: jobset names mapped to jobset specs, or one jobset spec whose build writes them; not {Kind(root)}.");
        }
        if (root.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.Object))
        {
            return new DeclarativeSpec { Jobsets = ReadJobsets(root, file) };
        }

        var errors = new List<string>();
        var generator = ReadJobset(DeclarativeProject.JobsetName, root, errors, DeclarativeProject.GeneratedInputs);
        foreach (var reserved in DeclarativeProject.GeneratedInputs.Where(name => generator?.Inputs.Any(i => i.Name == name) == true))
        {
            errors.Add($"jobset '{DeclarativeProject.JobsetName}': input '{reserved}' is set by the server ({string.Join(" and ", DeclarativeProject.GeneratedInputs)}); remove it from the spec.");
        }
        ThrowIfAny(errors, file);
        return new DeclarativeSpec { Generator = generator };
    }

    /// <summary>
    /// Parses and validates a list of jobsets (the static form), read from <paramref name="file"/>
    /// (named in messages): the static spec file, or the output of a generated project's <c>jobsets</c> build.
    /// </summary>
    /// <exception cref="DeclarativeSpecException">The list is malformed; the message says where and why.</exception>
    public static IReadOnlyList<JobsetSpec> Parse(string json, string file)
    {
        using var document = ParseDocument(json, file);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DeclarativeSpecException($"{file} must be a JSON object mapping jobset names to jobset specs, not {Kind(root)}.");
        }
        if (root.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.Object && JobsetKeys.Contains(p.Name)))
        {
            throw new DeclarativeSpecException(
                $"{file} looks like a single jobset spec; it must map jobset names to jobset specs: " +
                "{ \"<jobset name>\": { \"nixexprinput\": ..., \"inputs\": { ... } }, ... }.");
        }
        return ReadJobsets(root, file);
    }

    private static JsonDocument ParseDocument(string json, string file)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException exception)
        {
            throw new DeclarativeSpecException(
                $"{file} is not valid JSON: line {exception.LineNumber + 1}, position {exception.BytePositionInLine + 1}: {Reason(exception)}");
        }
    }

    private static List<JobsetSpec> ReadJobsets(JsonElement root, string file)
    {
        var errors = new List<string>();
        var specs = new List<JobsetSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                errors.Add($"jobset '{property.Name}' appears more than once.");
                continue;
            }
            if (!InputValueRules.IsValidJobsetName(property.Name))
            {
                errors.Add($"invalid jobset name '{property.Name}': it must match ^[A-Za-z_][A-Za-z0-9_.-]*$.");
            }
            if (ReadJobset(property.Name, property.Value, errors, []) is { } spec)
            {
                specs.Add(spec);
            }
        }
        ThrowIfAny(errors, file);
        return specs;
    }

    /// <summary>Any problem rejects the whole spec; the message lists them (the first few, if there are many).</summary>
    private static void ThrowIfAny(List<string> errors, string file)
    {
        if (errors.Count > 0)
        {
            var shown = errors.Take(MaxReportedErrors).Select(e => "- " + e);
            var more = errors.Count > MaxReportedErrors ? $"\n- ... and {errors.Count - MaxReportedErrors} more" : "";
            throw new DeclarativeSpecException($"{file} was not applied and no jobset was changed:\n{string.Join('\n', shown)}{more}");
        }
    }

    /// <summary>A path inside an input: not empty, not absolute, no ".." segment.</summary>
    public static bool IsRelativePath(string path) =>
        path.Length > 0 && !path.StartsWith('/') && !path.Contains('\0') && !path.Split('/').Contains("..");

    /// <summary>One jobset spec; <paramref name="implicitInputs"/> are inputs the server adds, which nixexprinput may name.</summary>
    private static JobsetSpec? ReadJobset(string name, JsonElement element, List<string> errors, IReadOnlyList<string> implicitInputs)
    {
        var before = errors.Count;
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"jobset '{name}' must be an object (a jobset spec), not {Kind(element)}.");
            return null;
        }
        var fields = new SpecFields($"jobset '{name}'", element, errors);
        fields.RejectUnknown(JobsetKeys);
        var type = fields.Int("type", 0, 0, 1, "0 (a Nix file in an input) or 1 (a flake)");
        var enabled = fields.Int("enabled", 1, 0, 3, "0 (disabled), 1 (enabled), 2 (one-shot) or 3 (one-at-a-time)");
        var hidden = fields.Bool("hidden", false);
        var description = fields.String("description");
        var flake = fields.String("flake").Trim();
        var nixExprInput = fields.String("nixexprinput");
        var nixExprPath = fields.String("nixexprpath");
        var checkInterval = fields.Int("checkinterval", 300, 0, int.MaxValue, "a number of seconds, 0 or more");
        var shares = fields.Int("schedulingshares", 100, 1, int.MaxValue, "a positive integer");
        var enableEmail = fields.Bool("enableemail", false);
        // Accepted for compatibility with Hydra specs; this server has no dynamic RunCommand, so it is only checked.
        fields.Bool("enable_dynamic_run_command", false);
        var emailOverride = fields.String("emailoverride");
        var keepNr = fields.Int("keepnr", 3, 0, int.MaxValue, "0 or more");
        var inputs = ReadInputs(name, element, errors);

        if (type == 1)
        {
            if (flake.Length == 0)
            {
                errors.Add($"jobset '{name}' is a flake jobset (type 1) and needs a flake URL.");
            }
            nixExprInput = "";
            nixExprPath = "";
        }
        else
        {
            if (!inputs.Any(i => i.Name == nixExprInput) && !implicitInputs.Contains(nixExprInput))
            {
                var names = inputs.Count + implicitInputs.Count == 0 ? "none" : string.Join(", ", inputs.Select(i => i.Name).Concat(implicitInputs));
                errors.Add($"jobset '{name}': nixexprinput '{nixExprInput}' must name one of its inputs (inputs: {names}).");
            }
            if (!IsRelativePath(nixExprPath))
            {
                errors.Add($"jobset '{name}': nixexprpath '{nixExprPath}' must be a relative path inside the input, without '..'.");
            }
        }
        return errors.Count > before ? null : new JobsetSpec(
            name, description, (short)type, type == 1 ? flake : null, nixExprInput, nixExprPath, (short)enabled, hidden,
            checkInterval, shares, keepNr, emailOverride, enableEmail, inputs);
    }

    private static List<JobsetSpecInput> ReadInputs(string jobset, JsonElement element, List<string> errors)
    {
        var inputs = new List<JobsetSpecInput>();
        if (!element.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind == JsonValueKind.Null)
        {
            return inputs;
        }
        if (inputsElement.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"jobset '{jobset}': inputs must be an object mapping input names to {{\"type\", \"value\", \"emailresponsible\"}}, not {Kind(inputsElement)}.");
            return inputs;
        }
        foreach (var property in inputsElement.EnumerateObject())
        {
            var name = property.Name;
            var where = $"jobset '{jobset}', input '{name}'";
            if (!InputValueRules.IsValidInputName(name))
            {
                errors.Add($"jobset '{jobset}': invalid input name '{name}': it must match ^[A-Za-z_][A-Za-z0-9_-]*$.");
                continue;
            }
            if (inputs.Any(i => i.Name == name))
            {
                errors.Add($"{where} appears more than once.");
                continue;
            }
            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{where} must be an object {{\"type\", \"value\", \"emailresponsible\"}}, not {Kind(property.Value)}.");
                continue;
            }
            var fields = new SpecFields(where, property.Value, errors);
            fields.RejectUnknown(InputKeys);
            var type = fields.String("type");
            var value = fields.String("value");
            var emailResponsible = fields.Bool("emailresponsible", false);
            if (!InputResolver.Types.Contains(type))
            {
                errors.Add($"{where}: unknown input type '{type}'; supported input types: {string.Join(", ", InputResolver.Types)}.");
                continue;
            }
            if (InputValueRules.Check(type, value) is { } problem)
            {
                errors.Add($"{where}: {(type is "eval" ? "an" : "a")} {type} input's value {problem}.");
                continue;
            }
            inputs.Add(new JobsetSpecInput(name, type, value, emailResponsible));
        }
        return inputs;
    }

    /// <summary>System.Text.Json's message without its own "Path: ... | LineNumber: ..." suffix, which the caller reports better.</summary>
    private static string Reason(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }
        return (cut < 0 ? message : message[..cut]).Trim();
    }

    internal static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
