using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Evals;

/// <summary>One evaluation: what it saw, which builds it holds, which jobs failed to evaluate.</summary>
public sealed record EvalPageModel(
    long Id,
    string Project,
    string Jobset,
    DateTimeOffset CreatedAt,
    double CheckoutSeconds,
    double EvalSeconds,
    string NixExprInput,
    string NixExprPath,
    BuildCounts Counts,
    IReadOnlyList<EvalPageModel.InputRow> Inputs,
    IReadOnlyList<EvalPageModel.BuildRow> Builds,
    IReadOnlyList<EvalPageModel.ErrorRow> Errors)
{
    public sealed record InputRow(string Name, string Type, string? Uri, string? Revision, string? Value);

    public sealed record BuildRow(long Id, string Job, string NixName, string System, bool Finished, int? Status, DateTimeOffset? StopTime, bool IsNew);

    public sealed record ErrorRow(string Job, string Message);
}
