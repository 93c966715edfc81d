namespace Hydra.Evaluator.Ingestion;

/// <summary>The outcome of ingesting one evaluation.</summary>
public sealed record IngestResult(long EvaluationId, int NewBuilds, int ReusedBuilds, int NewSteps, int Errors)
{
    /// <summary>Where the ingestion's time went.</summary>
    public IngestionTimings Timings { get; init; } = new();
}
