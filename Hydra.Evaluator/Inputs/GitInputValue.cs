namespace Hydra.Evaluator.Inputs;

/// <summary>
/// A git input's value as Hydra writes it: <c>URL [branch] [deepClone] [key=value...]</c>.
/// Options: <c>branch=NAME</c>, <c>deepClone=true</c> (the checkout keeps <c>.git</c> and its
/// history) and <c>submodules=true</c> (submodules are checked out recursively).
/// </summary>
public sealed record GitInputValue(string Url, string? Branch, bool DeepClone, bool Submodules)
{
    public static GitInputValue Parse(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new InputFetchException("The git input is empty; give 'URL [branch] [deepClone] [submodules=true]'.");
        }
        string? branch = null;
        bool deepClone = false, submodules = false;
        var positional = 0;
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                // Hydra's positional form: the branch, then any word for deepClone.
                switch (positional++)
                {
                    case 0: branch = part; break;
                    case 1: deepClone = IsTrue(part, "deepClone"); break;
                    default: throw new InputFetchException($"Unexpected '{part}' in git input '{value}'; use key=value for options.");
                }
                continue;
            }
            var (key, setting) = (part[..equals], part[(equals + 1)..]);
            switch (key)
            {
                case "branch": branch = setting; break;
                case "deepClone": deepClone = IsTrue(setting, key); break;
                case "submodules": submodules = IsTrue(setting, key); break;
                default: throw new InputFetchException($"Unknown git input option '{key}'; known options: branch, deepClone, submodules.");
            }
        }
        return new GitInputValue(parts[0], string.IsNullOrEmpty(branch) ? null : branch, deepClone, submodules);
    }

    /// <summary>Hydra treats any positional deepClone word as "yes"; key=value options say true/false (or 1/0).</summary>
    private static bool IsTrue(string setting, string key) => setting.ToLowerInvariant() switch
    {
        "true" or "1" or "yes" or "deepclone" => true,
        "false" or "0" or "no" => false,
        _ => throw new InputFetchException($"The git input option {key} must be true or false, not '{setting}'."),
    };
}
