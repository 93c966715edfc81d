namespace Hydra.Web.Api.Builds;

/// <summary>A build metric as Hydra's JSON shows it.</summary>
internal sealed record BuildMetricJson(string Name, double Value, string Unit);
