using Hydra.Web.Pages.Status;

namespace Hydra.Web.Api.Status;

/// <summary>
/// <c>/status/evaluations</c> as JSON, in Hydra's style: lower-case keys, Unix-second times.
/// <c>inprogress</c>: {project, jobset, phase, phasesince, startedat}; <c>queued</c>: {project, jobset, triggertime, force}.
/// </summary>
internal sealed record EvaluationStatusJson(IReadOnlyList<EvaluationStatusJson.Running> InProgress, IReadOnlyList<EvaluationStatusJson.Waiting> Queued)
{
    public sealed record Running(string Project, string Jobset, string Phase, long? PhaseSince, long StartedAt);

    public sealed record Waiting(string Project, string Jobset, long TriggerTime, bool Force);

    public static EvaluationStatusJson From(EvaluationStatusModel model) => new(
        model.Running.Select(r => new Running(r.Project, r.Jobset, r.Phase, HydraJson.Unix(r.PhaseSince), HydraJson.Unix(r.StartedAt))).ToList(),
        model.Queued.Select(q => new Waiting(q.Project, q.Jobset, HydraJson.Unix(q.TriggerTime), q.Force)).ToList());
}
