namespace Hydra.Evaluator.Jobsets;

/// <summary>
/// The values of <c>jobsets.eval_phase</c> while an evaluation runs, in the order they occur.
/// The column is NULL when the jobset is idle.
/// </summary>
public static class EvaluationPhase
{
    /// <summary>Claimed by a scheduler; the runner has not started yet.</summary>
    public const string Starting = "starting";
    public const string FetchingInputs = "fetching inputs";
    public const string Evaluating = "evaluating";
    public const string Ingesting = "ingesting";
}
