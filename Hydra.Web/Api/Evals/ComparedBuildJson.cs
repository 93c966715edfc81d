namespace Hydra.Web.Api.Evals;

/// <summary>A build in the comparison JSON; <c>finished</c> is 0/1 and <c>buildstatus</c> null while queued, as in Hydra's build JSON.</summary>
internal sealed record ComparedBuildJson(long Id, string Job, string System, string NixName, int Finished, int? BuildStatus)
{
    public static ComparedBuildJson From(ComparedBuild build) =>
        new(build.Id, build.Job, build.System, build.NixName, build.Finished ? 1 : 0, build.BuildStatus);
}
