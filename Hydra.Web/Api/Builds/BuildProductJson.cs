namespace Hydra.Web.Api.Builds;

/// <summary>A build product as Hydra's JSON shows it (<c>filesize</c> and <c>sha256hash</c> are null for directories).</summary>
internal sealed record BuildProductJson(
    string Type, string Subtype, string Name, long? FileSize, string? Sha256hash, string Path, string DefaultPath);
