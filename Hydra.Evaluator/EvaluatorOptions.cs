namespace Hydra.Evaluator;

/// <summary>Evaluator settings, bound from <c>Hydra:Evaluator</c>.</summary>
public sealed class EvaluatorOptions
{
    public const string Section = "Hydra:Evaluator";

    /// <summary>How often the scheduler looks for due jobsets when no trigger wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Limit for one git fetch.</summary>
    public TimeSpan GitTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Limit for one Nix evaluation process.</summary>
    public TimeSpan EvalTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Evaluations this process runs at once.</summary>
    public int MaxConcurrentEvaluations { get; set; } = 2;

    /// <summary>Compression of the .drv closures the evaluator writes into the binary cache.</summary>
    public string CacheCompression { get; set; } = "zstd";

    /// <summary>Parallel evaluation processes (shards) per evaluation; nix-eval-jobs' <c>--workers</c>.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>
    /// Most jobs one evaluation process evaluates (nix-instantiate engine). The job list is cut into
    /// shards of at most this many (and at least <see cref="Workers"/> shards), <see cref="Workers"/>
    /// at a time, and each finished shard's builds are ingested while later shards evaluate. Smaller
    /// shards start ingestion sooner; each shard pays for one process and for evaluating the shared
    /// part of the expression again.
    /// </summary>
    public int ShardSize { get; set; } = 1000;

    /// <summary>
    /// Address-space limit of each evaluation process in MiB (<c>prlimit --as</c>); nix-eval-jobs'
    /// <c>--max-memory-size</c>. A job that needs more gets a job error; the others still build.
    /// Zero or less: no limit.
    /// </summary>
    public int MaxMemoryMiB { get; set; } = 4096;

    /// <summary>
    /// The nix-eval-jobs executable. Null (the default): use <c>nix-eval-jobs</c> when it is on PATH,
    /// else Hydra's own wrapper around nix-instantiate. Empty: never use nix-eval-jobs.
    /// </summary>
    public string? NixEvalJobsPath { get; set; }
}
