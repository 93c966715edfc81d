using System.Text.RegularExpressions;

namespace Hydra.Builder.NixSupport;

/// <summary>
/// One line of <c>nix-support/hydra-build-products</c>: <c>type subtype path [defaultPath]</c>, where the path
/// may be double-quoted to hold spaces. The same grammar as Hydra's; a line that does not match is ignored.
/// </summary>
public sealed partial record ProductLine(string Type, string Subtype, string Path, string DefaultPath)
{
    [GeneratedRegex("""^([a-zA-Z0-9_-]+)\s+([a-zA-Z0-9_-]+)\s+("[^"]+"|[^"\s<>]+)(\s+([^"\s<>]+))?$""")]
    private static partial Regex Grammar();

    public static ProductLine? TryParse(string line)
    {
        var match = Grammar().Match(line.Trim());
        if (!match.Success)
        {
            return null;
        }

        var path = match.Groups[3].Value;
        if (path.StartsWith('"'))
        {
            path = path[1..^1];
        }

        return new ProductLine(match.Groups[1].Value, match.Groups[2].Value, path, match.Groups[5].Value);
    }
}
