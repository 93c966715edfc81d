using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// A jobset's configuration, its scheduling state (phase of a running evaluation, last error, next
/// check) and a keyset page of its evaluations (newest first).
/// </summary>
public sealed record JobsetPageModel(
    string Project,
    string ProjectOwner,
    bool ProjectEnabled,
    string Name,
    string Description,
    string NixExprInput,
    string NixExprPath,
    short Enabled,
    bool Hidden,
    int CheckInterval,
    int SchedulingShares,
    int KeepNr,
    DateTimeOffset? LastCheckedAt,
    DateTimeOffset? TriggerTime,
    DateTimeOffset? EvalStartedAt,
    string? EvalPhase,
    DateTimeOffset? EvalPhaseSince,
    string? ErrorMessage,
    DateTimeOffset? ErrorTime,
    IReadOnlyList<JobsetPageModel.InputRow> Inputs,
    IReadOnlyList<JobsetPageModel.EvalRow> Evals,
    long? Before,
    long? NextBefore)
{
    public sealed record InputRow(string Name, string Type, string Value);

    /// <summary><paramref name="Revision"/> is the main input's revision (or value), e.g. "src 1a2b3c4d5e6f".</summary>
    public sealed record EvalRow(long Id, DateTimeOffset CreatedAt, string? Revision, int NrErrors, BuildCounts Counts);
}
