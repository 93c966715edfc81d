namespace Hydra.Web.Api.Evals;

/// <summary>An input as one evaluation saw it (git: uri and revision; others: value).</summary>
internal sealed record EvalInputJson(string? Uri, string? Revision, string Type, string? Value, string? Dependency);
