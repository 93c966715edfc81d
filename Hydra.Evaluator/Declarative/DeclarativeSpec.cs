namespace Hydra.Evaluator.Declarative;

/// <summary>A declarative project's spec file, in one of Hydra's two forms; exactly one property is set.</summary>
public sealed record DeclarativeSpec
{
    /// <summary>Static form: the project's jobsets.</summary>
    public IReadOnlyList<JobsetSpec>? Jobsets { get; init; }

    /// <summary>
    /// Generated form: how to configure <c>.jobsets</c> (named <see cref="DeclarativeProject.JobsetName"/>),
    /// whose evaluation has a job <c>jobsets</c> that builds the list of jobsets.
    /// </summary>
    public JobsetSpec? Generator { get; init; }
}
