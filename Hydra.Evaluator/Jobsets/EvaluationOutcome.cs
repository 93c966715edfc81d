namespace Hydra.Evaluator.Jobsets;

/// <summary>How a jobset check ended.</summary>
public enum EvaluationOutcome
{
    /// <summary>A new evaluation was recorded.</summary>
    Evaluated,
    /// <summary>Inputs hashed the same as the last evaluation: nothing recorded.</summary>
    Unchanged,
    /// <summary>Fetching or evaluating failed; the error is on the jobset.</summary>
    Failed,
}
