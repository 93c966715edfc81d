using Hydra.Core.Data.Entities;
using Hydra.Core.Notifications;

namespace Hydra.Web.Pages.Builds;

/// <summary>A build, its outputs, products and metrics, what RunCommand sinks ran for it, the steps of its graph (old attempts of a restarted build too) and the tail of the log that explains it.</summary>
public sealed record BuildPageModel(
    long Id,
    string Project,
    string ProjectOwner,
    string Jobset,
    string Job,
    string NixName,
    string? Description,
    string System,
    string DrvPath,
    bool Finished,
    int? Status,
    bool IsCachedBuild,
    int Priority,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartTime,
    DateTimeOffset? StopTime,
    IReadOnlyList<BuildPageModel.OutputRow> Outputs,
    IReadOnlyList<long> Evals,
    IReadOnlyList<BuildPageModel.StepRow> Steps,
    long? LogStepId,
    string? LogTail,
    string? ReleaseName,
    IReadOnlyList<BuildPageModel.ProductRow> Products,
    IReadOnlyList<BuildPageModel.MetricRow> Metrics,
    bool Keep,
    IReadOnlyList<RunCommandLog> RunCommands)
{
    public const int LogTailLines = 200;

    public sealed record OutputRow(string Name, string Path);

    /// <summary>A build product; size and SHA-256 only for regular files.</summary>
    public sealed record ProductRow(int Number, string Type, string Subtype, string Name, string Path, long? FileSize, string? Sha256);

    public sealed record MetricRow(string Name, double Value, string Unit);

    /// <summary><paramref name="Machine"/> is the worker of the latest attempt.</summary>
    public sealed record StepRow(
        long Id, string DrvPath, string System, StepState State, int? Status, int Tries, string? Machine,
        DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);
}
