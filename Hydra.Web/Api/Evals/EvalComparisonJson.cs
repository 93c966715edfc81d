namespace Hydra.Web.Api.Evals;

/// <summary>
/// The <c>comparison</c> member of <c>/eval/{id}?compare=...</c> JSON: <see cref="EvaluationDiff"/>'s
/// sections under Hydra's names run together in lower case.
/// </summary>
internal sealed record EvalComparisonJson(
    long? CompareTo,
    IReadOnlyList<ComparedBuildJson> New,
    IReadOnlyList<ComparedBuildJson> Removed,
    IReadOnlyList<ComparedBuildJson> NowFail,
    IReadOnlyList<ComparedBuildJson> NowSucceed,
    IReadOnlyList<ComparedBuildJson> StillFail,
    IReadOnlyList<ComparedBuildJson> StillSucceed,
    IReadOnlyList<ComparedBuildJson> Unfinished,
    IReadOnlyList<ComparedBuildJson> Aborted)
{
    public static EvalComparisonJson From(EvaluationDiff diff) => new(
        diff.CompareTo, Map(diff.New), Map(diff.Removed), Map(diff.NowFail), Map(diff.NowSucceed),
        Map(diff.StillFail), Map(diff.StillSucceed), Map(diff.Unfinished), Map(diff.Aborted));

    private static List<ComparedBuildJson> Map(IReadOnlyList<ComparedBuild> builds) => builds.Select(ComparedBuildJson.From).ToList();
}
