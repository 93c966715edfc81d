using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Evals;

/// <summary>Loads <see cref="EvalPageModel"/>.</summary>
internal static class EvalPageQuery
{
    public static async Task<EvalPageModel?> LoadAsync(HydraDbContext db, long id, CancellationToken cancellationToken)
    {
        var eval = await db.Evaluations.AsNoTracking().Where(e => e.Id == id)
            .Select(e => new
            {
                e.Id, Project = e.Jobset!.Project!.Name, Owner = e.Jobset.Project.Owner, Jobset = e.Jobset.Name, e.CreatedAt, e.CheckoutSeconds, e.EvalSeconds,
                e.NixExprInput, e.NixExprPath,
                Inputs = e.Inputs.OrderBy(i => i.Name).Select(i => new EvalPageModel.InputRow(i.Name, i.Type, i.Uri, i.Revision, i.Value)).ToList(),
                Errors = e.Errors.OrderBy(x => x.Job).Select(x => new EvalPageModel.ErrorRow(x.Job, x.Message)).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (eval is null)
        {
            return null;
        }
        return new EvalPageModel(
            eval.Id, eval.Project, eval.Owner, eval.Jobset, eval.CreatedAt, eval.CheckoutSeconds, eval.EvalSeconds,
            eval.NixExprInput, eval.NixExprPath, eval.Inputs, eval.Errors);
    }
}
