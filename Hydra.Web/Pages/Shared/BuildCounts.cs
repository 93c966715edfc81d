namespace Hydra.Web.Pages.Shared;

/// <summary>How the builds of one evaluation stand.</summary>
public sealed record BuildCounts(int Total, int Succeeded, int Failed, int Queued)
{
    public static readonly BuildCounts None = new(0, 0, 0, 0);
}
