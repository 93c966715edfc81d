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
    BuildCounts Counts,
    IReadOnlyList<EvalPageModel.InputRow> Inputs,
    IReadOnlyList<EvalPageModel.ErrorRow> Errors)
{
    public EvaluationDiff? Comparison { get; init; }

    public sealed record InputRow(string Name, string Type, string? Uri, string? Revision, string? Value);

    public sealed record ErrorRow(string Job, string Message);
}
