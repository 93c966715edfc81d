namespace Hydra.Web.Api;

/// <summary>Hydra's error body.</summary>
internal sealed record ErrorJson(string Error);
