namespace Hydra.Web.Api.Builds;

/// <summary>
/// Hydra's Build JSON. Quirks kept for existing clients: <c>finished</c> and <c>iscachedbuild</c> are
/// 0/1 integers, <c>buildstatus</c> is null while queued, times are Unix seconds
/// (<c>timestamp</c> is when the build was queued), <c>buildproducts</c> is keyed by product number
/// ("1", "2", ...) and <c>buildmetrics</c> by metric name. <c>keep</c> (0/1, Hydra's column) is extra.
/// </summary>
internal sealed record BuildJson(
    long Id,
    string Job,
    string NixName,
    string? Description,
    string Project,
    string Jobset,
    string System,
    string DrvPath,
    int Finished,
    int? BuildStatus,
    long? StartTime,
    long? StopTime,
    long Timestamp,
    int Priority,
    int IsCachedBuild,
    string? ReleaseName,
    IReadOnlyDictionary<string, BuildOutputJson> BuildOutputs,
    IReadOnlyList<long> JobsetEvals,
    IReadOnlyDictionary<string, BuildMetricJson> BuildMetrics,
    IReadOnlyDictionary<string, BuildProductJson> BuildProducts,
    int Keep);
