using System.Globalization;
using System.Text;

namespace Hydra.Queue.Metrics;

/// <summary>Prometheus text exposition format 0.0.4: <c># HELP</c>, <c># TYPE</c>, then one line per sample.</summary>
public sealed class PrometheusWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();

    public void Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    /// <summary>One sample; <paramref name="labels"/> is the inside of the braces (already escaped), or empty.</summary>
    public void Sample(string name, string labels, double value)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{').Append(labels).Append('}');
        }
        _text.Append(' ').Append(Number(value)).Append('\n');
    }

    /// <summary>A label pair with its value escaped.</summary>
    public static string Label(string name, string value) => $"{name}=\"{Escape(value)}\"";

    public static string Join(string labels, string more) => labels.Length == 0 ? more : labels + "," + more;

    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

    public override string ToString() => _text.ToString();
}
