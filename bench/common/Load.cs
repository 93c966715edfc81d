using System.Globalization;

namespace Hydra.Bench;

/// <summary>
/// How busy the machine was while a figure was measured: the one-minute load average at the start and at the
/// end (from /proc/loadavg), next to the core count. On a shared machine the ratios to a baseline run in the
/// same process are what to compare; these say how much the absolute numbers can be trusted.
/// </summary>
internal readonly record struct Load(double AtStart)
{
    public static Load Now() => new(Read());

    /// <summary>"load 3.1 -> 4.2 on 2 cores".</summary>
    public string Until() => string.Create(CultureInfo.InvariantCulture, $"load {AtStart:F1} -> {Read():F1} on {Environment.ProcessorCount} cores");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"load {AtStart:F1} on {Environment.ProcessorCount} cores");

    private static double Read()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return double.NaN;
        }
    }
}
