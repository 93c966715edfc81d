namespace Hydra.Web.Api.Builds;

/// <summary>A build output: its store path.</summary>
internal sealed record BuildOutputJson(string Path);
