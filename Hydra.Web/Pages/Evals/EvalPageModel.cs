using Hydra.Web.Api.Evals;
using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Evals;

/// <summary>
/// One evaluation: what it saw, which jobs failed to evaluate, and its builds compared with another
/// evaluation (<see cref="Comparison"/>, set by the endpoint).
/// </summary>
public sealed record EvalPageModel(
    long Id,
    string Project,
    string ProjectOwner,
    string Jobset,
    DateTimeOffset CreatedAt,
    double CheckoutSeconds,
    double EvalSeconds,
    string NixExprInput,
    string NixExprPath,
    IReadOnlyList<EvalPageModel.InputRow> Inputs,
    IReadOnlyList<EvalPageModel.ErrorRow> Errors)
{
    public EvaluationDiff? Comparison { get; init; }

    /// <summary>The <c>?compare=</c> the page was asked for, kept in its links.</summary>
    public string? Compare { get; init; }

    /// <summary>One section shown whole, in keyset pages of <see cref="TabPageSize"/> after build <see cref="After"/>.</summary>
    public string? Tab { get; init; }

    public string? After { get; init; }

    /// <summary>Rows of each section on the evaluation's main page.</summary>
    public const int SectionPreview = 100;

    public const int TabPageSize = 500;

    /// <summary>How this evaluation's builds stand, from the comparison (which holds every one of them).</summary>
    public BuildCounts Counts => Comparison is not { } diff ? BuildCounts.None : BuildCountsOf(
        diff.New.Concat(diff.NowFail).Concat(diff.NowSucceed).Concat(diff.StillFail).Concat(diff.StillSucceed).Concat(diff.Unfinished).Concat(diff.Aborted));

    private static BuildCounts BuildCountsOf(IEnumerable<ComparedBuild> builds)
    {
        int total = 0, succeeded = 0, failed = 0, queued = 0;
        foreach (var build in builds)
        {
            total++;
            if (!build.Finished)
            {
                queued++;
            }
            else if (build.BuildStatus == 0)
            {
                succeeded++;
            }
            else
            {
                failed++;
            }
        }
        return new BuildCounts(total, succeeded, failed, queued);
    }

    public sealed record InputRow(string Name, string Type, string? Uri, string? Revision, string? Value);

    public sealed record ErrorRow(string Job, string Message);
}
