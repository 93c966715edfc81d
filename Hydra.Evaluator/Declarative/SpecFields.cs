using System.Globalization;
using System.Text.Json;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Typed reads from one object of a declarative spec. A field of the wrong kind adds an error
/// (naming <c>where</c> it is) and reads as the default. Hydra's specs are written by hand, so
/// numbers may be strings ("300") and booleans may be 0/1.
/// </summary>
internal sealed class SpecFields(string where, JsonElement element, List<string> errors)
{
    public void RejectUnknown(IReadOnlyList<string> known)
    {
        foreach (var property in element.EnumerateObject().Where(p => !known.Contains(p.Name)))
        {
            errors.Add($"{where}: unknown field '{property.Name}'; allowed fields: {string.Join(", ", known)}.");
        }
    }

    public string String(string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return "";
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String: return value.GetString()!;
            // Hydra's specs often write input values such as booleans unquoted; they mean the same text.
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False: return value.GetRawText();
            default:
                errors.Add($"{where}: {name} must be a string, not {DeclarativeSpecParser.Kind(value)}.");
                return "";
        }
    }

    public int Int(string name, int fallback, int min, int max, string rule)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        int? number = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt32(out var n) => n,
            JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            JsonValueKind.True => 1,
            JsonValueKind.False => 0,
            _ => null,
        };
        if (number is not { } result || result < min || result > max)
        {
            errors.Add($"{where}: {name} must be {rule}, not {value.GetRawText()}.");
            return fallback;
        }
        return result;
    }

    public bool Bool(string name, bool fallback)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }
        bool? flag = value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var n) && n is 0 or 1 => n == 1,
            JsonValueKind.String => value.GetString() switch { "true" or "1" => true, "false" or "0" or "" => false, _ => null },
            _ => null,
        };
        if (flag is not { } result)
        {
            errors.Add($"{where}: {name} must be true or false (or 1/0), not {value.GetRawText()}.");
            return fallback;
        }
        return result;
    }
}
