namespace Hydra.Web.Api.Projects;

/// <summary>Hydra's DeclarativeInput JSON: the spec file, the input type and the input value.</summary>
internal sealed record DeclarativeJson(string File, string Type, string Value);
