namespace Hydra.Web.Api.Evals;

/// <summary>
/// Hydra's BuildDiff of an evaluation against an earlier one. Every build of the evaluation lands in
/// exactly one of new, aborted, unfinished, still/now succeeding/failing; <see cref="Removed"/> holds
/// the other evaluation's builds whose job is gone. Lists are sorted by job, then system.
/// </summary>
public sealed record EvaluationDiff(
    long? CompareTo,
    IReadOnlyList<ComparedBuild> New,
    IReadOnlyList<ComparedBuild> Removed,
    IReadOnlyList<ComparedBuild> NowFail,
    IReadOnlyList<ComparedBuild> NowSucceed,
    IReadOnlyList<ComparedBuild> StillFail,
    IReadOnlyList<ComparedBuild> StillSucceed,
    IReadOnlyList<ComparedBuild> Unfinished,
    IReadOnlyList<ComparedBuild> Aborted);
