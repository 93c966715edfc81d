namespace Hydra.Web.Api.Evals;

/// <summary>A build as the evaluation comparison sees it; jobs are matched by (<see cref="Job"/>, <see cref="System"/>).</summary>
public sealed record ComparedBuild(long Id, string Job, string System, string NixName, bool Finished, int? BuildStatus);
