namespace Hydra.Evaluator.Ingestion;

/// <summary>How ingestion batches its work, bound from <c>Hydra:Evaluator:Ingestion</c> where registered.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Hydra:Evaluator:Ingestion";

    /// <summary>New builds written per transaction (with their steps, outputs and links).</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>
    /// Jobs a batch waits for while the evaluation runs (at most <see cref="BatchSize"/>): fewer, larger batches cost less
    /// CPU beside the evaluation, and the last batch, which adds to the evaluation's wall time, stays below this.
    /// </summary>
    public int MinBatchSize { get; set; } = 500;

    /// <summary>Rows per multi-row statement inside the final transaction (members, promotions) and per is_current update.</summary>
    public int StatementRows { get; set; } = 5000;

    /// <summary><c>.drv</c> files parsed at once while planning.</summary>
    public int ParseParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Derivations per <c>nix copy</c> call when pushing to the cache.</summary>
    public int PushBatchSize { get; set; } = 400;

    /// <summary><c>nix copy</c> processes run at once.</summary>
    public int PushParallelism { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Tries of a batch that hit a deadlock or serialization failure.</summary>
    public int MaxTries { get; set; } = 4;
}
