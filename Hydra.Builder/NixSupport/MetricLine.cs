using System.Globalization;
using Hydra.Core.Protocol;

namespace Hydra.Builder.NixSupport;

/// <summary>One line of <c>nix-support/hydra-metrics</c>: <c>name value [unit]</c>, separated by whitespace.</summary>
public static class MetricLine
{
    public static BuildMetricInfo? TryParse(string line)
    {
        var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2 || !NixSupportRules.MetricName().IsMatch(fields[0]))
        {
            return null;
        }

        if (!double.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            return null;
        }

        var unit = fields.Length >= 3 && NixSupportRules.MetricUnit().IsMatch(fields[2]) ? fields[2] : "";
        return new BuildMetricInfo(fields[0], value, unit);
    }
}
