namespace Hydra.Web.Pages.Jobs;

/// <summary>
/// <c>GET /job/{project}/{jobset}/{job}</c>: a job's builds, newest first in keyset pages (<c>?before=ID</c>), and
/// charts of the build time and closure size of its last <see cref="ChartBuilds"/> finished builds.
/// </summary>
public sealed record JobPageModel(
    string Project,
    string Jobset,
    string Job,
    IReadOnlyList<JobPageModel.BuildRow> Builds,
    long? Before,
    long? NextBefore,
    IReadOnlyList<JobPageModel.ChartPoint> BuildTimes,
    IReadOnlyList<JobPageModel.ChartPoint> ClosureSizes)
{
    /// <summary>One chart per metric the job's builds report (<c>nix-support/hydra-metrics</c>), oldest point first.</summary>
    public IReadOnlyList<MetricSeries> Metrics { get; init; } = [];

    /// <summary>A metric's name, unit and values, one per build.</summary>
    public sealed record MetricSeries(string Name, string Unit, IReadOnlyList<ChartPoint> Points);

    public const int PageSize = 50;
    public const int ChartBuilds = 100;

    public sealed record BuildRow(
        long Id, bool Finished, int? Status, bool IsCurrent, string System, DateTimeOffset QueuedAt, DateTimeOffset? StartTime,
        DateTimeOffset? StopTime, string? ReleaseName);

    /// <summary>One build's value: seconds for build times, bytes for closure sizes.</summary>
    public sealed record ChartPoint(long BuildId, DateTimeOffset At, double Value);
}
