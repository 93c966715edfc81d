namespace Hydra.Web.Pages.Status;

/// <summary>What the evaluators are doing: running evaluations and triggered jobsets waiting for one.</summary>
public sealed record EvaluationStatusModel(
    IReadOnlyList<EvaluationStatusModel.RunningRow> Running,
    IReadOnlyList<EvaluationStatusModel.QueuedRow> Queued)
{
    /// <summary><paramref name="Phase"/> is "starting" until the runner reports its first phase.</summary>
    public sealed record RunningRow(string Project, string Jobset, string Phase, DateTimeOffset? PhaseSince, DateTimeOffset StartedAt);

    public sealed record QueuedRow(string Project, string Jobset, DateTimeOffset TriggerTime, bool Force);
}
