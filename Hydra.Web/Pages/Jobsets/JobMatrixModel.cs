namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// <c>GET /jobset/{project}/{jobset}/jobs</c>: the jobs of the jobset's latest evaluation (current builds) in keyset
/// pages by name (<c>?after=JOB</c>), against its last <see cref="Columns"/> evaluations: each cell is the job's build
/// in that evaluation.
/// </summary>
public sealed record JobMatrixModel(
    string Project,
    string Jobset,
    IReadOnlyList<JobMatrixModel.EvalColumn> Evals,
    IReadOnlyList<JobMatrixModel.JobRow> Jobs,
    string? After,
    string? NextAfter)
{
    public const int Columns = 10;
    public const int PageSize = 100;

    public sealed record EvalColumn(long Id, DateTimeOffset CreatedAt);

    /// <summary><paramref name="Cells"/> is aligned with <see cref="Evals"/>; null where the job was not in that evaluation.</summary>
    public sealed record JobRow(string Job, IReadOnlyList<Cell?> Cells);

    public sealed record Cell(long BuildId, bool Finished, int? Status);
}
