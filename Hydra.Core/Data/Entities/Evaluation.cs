namespace Hydra.Core.Data.Entities;

/// <summary>One evaluation of a jobset: the inputs it saw and the builds it produced.</summary>
public sealed class Evaluation
{
    public long Id { get; set; }
    public long JobsetId { get; set; }
    public Jobset? Jobset { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public double CheckoutSeconds { get; set; }
    public double EvalSeconds { get; set; }
    public bool HasNewBuilds { get; set; }
    public required string InputsHash { get; set; }
    public int NrBuilds { get; set; }
    public int NrErrors { get; set; }
    public required string NixExprInput { get; set; }
    public required string NixExprPath { get; set; }
    /// <summary>The locked flake URL this evaluation used (flake jobsets only).</summary>
    public string? Flake { get; set; }
    public List<EvaluationInput> Inputs { get; set; } = [];
    public List<EvaluationError> Errors { get; set; } = [];
}
