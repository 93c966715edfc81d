namespace Hydra.Web.Pages.Home;

/// <summary>The overview: every project and how many jobsets it has.</summary>
public sealed record HomeModel(IReadOnlyList<HomeModel.ProjectRow> Projects)
{
    public sealed record ProjectRow(string Name, string DisplayName, string Description, string Owner, bool Enabled, bool Hidden, int Jobsets);
}
