namespace Hydra.Core.Data.Entities;

/// <summary>An input as resolved for one evaluation (for git: the URL and the revision).</summary>
public sealed class EvaluationInput
{
    public long EvaluationId { get; set; }
    public required string Name { get; set; }
    public required string Type { get; set; }
    public string? Uri { get; set; }
    public string? Revision { get; set; }
    public string? Value { get; set; }
    public string? Path { get; set; }
}
