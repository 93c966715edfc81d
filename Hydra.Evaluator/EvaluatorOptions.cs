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

    /// <summary>
    /// Evaluation processes per evaluation, each streaming its share of the jobs to ingestion as it
    /// evaluates them; nix-eval-jobs' <c>--workers</c>.
    /// </summary>
    public int Workers { get; set; } = 1;

    /// <summary>
    /// Address-space limit of each evaluation process in MiB (<c>prlimit --as</c>); nix-eval-jobs'
    /// <c>--max-memory-size</c>. A process that reaches it while evaluating its share is restarted after
    /// the job it was on; a job that needs more on its own gets a job error; the others still build.
    /// Zero or less: no limit.
    /// </summary>
    public int MaxMemoryMiB { get; set; } = 4096;

    /// <summary>
    /// Evaluate in Nix stores of the workers' own under <c>&lt;DataDir&gt;/eval-stores</c> rather than in
    /// the machine's store, so workers write their <c>.drv</c> files side by side instead of taking turns
    /// on one SQLite database (see <c>EvalStores</c>). Off: the machine's store, as nix-instantiate would.
    /// Jobsets with <c>build</c>/<c>eval</c> inputs always use the machine's store.
    /// </summary>
    public bool WorkerStores { get; set; } = true;

    /// <summary>A worker store whose database grows past this many MiB is deleted and started afresh between evaluations.</summary>
    public int WorkerStoreMaxMiB { get; set; } = 2048;

    /// <summary>
    /// The nix-eval-jobs executable. Null (the default): use <c>nix-eval-jobs</c> when it is on PATH,
    /// else Hydra's own wrapper around nix-instantiate. Empty: never use nix-eval-jobs.
    /// </summary>
    public string? NixEvalJobsPath { get; set; }
}
