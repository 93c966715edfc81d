using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Home;

/// <summary>
/// The overview: every project with its jobsets, how its current builds stand, which jobsets fail to evaluate and
/// when it was last evaluated. The build counts are shared by every viewer for a few seconds
/// (<see cref="HomeQuery.CountsLifetime"/>), since counting a nixpkgs-sized project's current builds is the costly part.
/// </summary>
public sealed record HomeModel(IReadOnlyList<HomeModel.ProjectRow> Projects)
{
    public sealed record ProjectRow(
        string Name, string DisplayName, string Description, string Owner, bool Enabled, bool Hidden, int Jobsets,
        int JobsetsWithErrors, DateTimeOffset? LastEvaluatedAt, BuildCounts Current);
}
