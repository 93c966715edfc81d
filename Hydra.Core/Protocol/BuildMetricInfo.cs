namespace Hydra.Core.Protocol;

/// <summary>A line of <c>nix-support/hydra-metrics</c>: <c>name value [unit]</c>; <see cref="Unit"/> is "" when absent.</summary>
public sealed record BuildMetricInfo(string Name, double Value, string Unit);
