using System.Diagnostics;
using System.Globalization;
using Hydra.Bench;
using Hydra.Bench.Ingest;
using Hydra.Core;
using Hydra.Core.Processes;
using Hydra.Core.Storage;
using Hydra.Evaluator;
using Hydra.Evaluator.Ingestion;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.Options;
using Npgsql;

// Ingestion benchmark (B4 in perf-reliability.md): nix-instantiate of an N-job jobset as the
// baseline, then BuildIngester.IngestAsync of its jobs into a fresh database with an empty cache
// (every step is new and every .drv is pushed), then a second N-job jobset to show memory stays flat.
var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var bases = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
Environment.SetEnvironmentVariable("NIX_REMOTE", Environment.GetEnvironmentVariable("NIX_REMOTE") ?? "local");

var work = Directory.CreateTempSubdirectory("hydra-bench-ingest-").FullName;
await using var database = await BenchDatabase.CreateAsync(maxPoolSize: 20);
try
{
    var dataSource = database.DataSource;

    var hydra = new HydraOptions { DataDir = Path.Combine(work, "data") };
    Directory.CreateDirectory(hydra.CacheDir);
    // HYDRA_BENCH_PARSE_PARALLELISM sets IngestionOptions.ParseParallelism (default: the cores).
    var ingestion = Options.Create(new IngestionOptions());
    if (int.TryParse(Environment.GetEnvironmentVariable("HYDRA_BENCH_PARSE_PARALLELISM"), out var parse))
    {
        ingestion.Value.ParseParallelism = parse;
    }
    var pusher = new DrvCachePusher(new NixProcessRunner(), new DirectoryCacheStorage(Options.Create(hydra), TimeProvider.System), Options.Create(hydra), Options.Create(new EvaluatorOptions()), ingestion);
    var ingester = new BuildIngester(dataSource, pusher, TimeProvider.System, ingestion);
    Console.WriteLine($"jobs per jobset: {jobs}, shared base derivations: {bases}, batch size: {ingestion.Value.BatchSize}, cores: {Environment.ProcessorCount}");

    var (before, beforeSet) = Memory();
    Console.WriteLine($"memory before: managed {Mb(before)} MB, working set {Mb(beforeSet)} MB");
    // HYDRA_BENCH_PARTS=eval skips the ingestion rounds (e.g. for a 100,000-job run); =ingest skips evaluation.
    var parts = Environment.GetEnvironmentVariable("HYDRA_BENCH_PARTS") ?? "ingest,eval";
    for (var round = 1; round <= 2 && parts.Contains("ingest", StringComparison.Ordinal); round++)
    {
        var (drvPaths, instantiate) = await JobsetGenerator.InstantiateAsync(work, jobs, bases, Guid.NewGuid().ToString("N"));
        var evaluation = new JobsetEvaluation(await JobsetGenerator.JobsAsync(drvPaths), []);
        var jobset = await CreateJobsetAsync(dataSource, $"bench{round}");
        var record = new EvaluationRecord("bench", "src", "release.nix", [], 0, instantiate.TotalSeconds, DateTimeOffset.UtcNow);
        var clock = Stopwatch.StartNew();
        var cpu = CpuTime();
        var phases = new Progress(clock);
        var result = await ingester.IngestAsync(jobset, record, evaluation, phases, CancellationToken.None);
        var ingest = clock.Elapsed;
        cpu = CpuTime() - cpu;
        evaluation = null;
        var (managed, workingSet) = Memory();
        Console.WriteLine($"round {round}: nix-instantiate (baseline): {instantiate.TotalSeconds:F2} s ({jobs / instantiate.TotalSeconds:F0} jobs/s)");
        Console.WriteLine($"round {round}: IngestAsync (plan + push .drv + write): {ingest.TotalSeconds:F2} s, {result.NewBuilds} builds, {result.NewSteps} steps");
        Console.WriteLine($"round {round}: ingestion rate: {result.NewBuilds / ingest.TotalSeconds:F0} builds/s (target >= 2000); CPU of this process {cpu.TotalSeconds:F2} s");
        Console.WriteLine($"round {round}: ratio ingestion / nix-instantiate: {ingest.TotalSeconds / instantiate.TotalSeconds:F2}");
        Console.WriteLine($"round {round}: memory after: managed {Mb(managed)} MB, working set {Mb(workingSet)} MB");
    }

    // Trigger to every build queued (B3), the way EvaluationRunner does it: the evaluator (nix-instantiate
    // through the wrapper, in shards) streams each shard's jobs into ingestion while later shards evaluate.
    // Against plain nix-instantiate of a same-sized file, each with its own salt.
    // HYDRA_BENCH_STORES=own skips the variants on the machine's store. The first run is the evaluator's
    // first ever: it creates the worker stores, and creating the first thousands of files in a new
    // directory costs the kernel far more than in a grown one (the machine's store is grown), so it is
    // reported apart as "cold"; the evaluator keeps its stores, so every later evaluation is a warm one.
    var variants = (parts.Contains("eval", StringComparison.Ordinal)
        ? new[] { (Environment.ProcessorCount, true, "cold: the first evaluation, into new worker stores"),
            (1, true, ""), (Environment.ProcessorCount, true, ""), (1, false, ""), (Environment.ProcessorCount, false, "") }
        : []).Where(v => v.Item2 || Environment.GetEnvironmentVariable("HYDRA_BENCH_STORES") != "own")
        // HYDRA_BENCH_WORKERS=N keeps only the warm variants with N workers (the cold one stays: it creates the stores).
        .Where(v => v.Item3.Length > 0 || !int.TryParse(Environment.GetEnvironmentVariable("HYDRA_BENCH_WORKERS"), out var only) || v.Item1 == only)
        .ToArray();
    var cpuClock = await CpuClock.CreateAsync(dataSource);
    foreach (var (workers, workerStores, label) in variants)
    {
        // Each variant against its own baseline run just before it (a same-sized file, its own salt).
        var baselineCpu = cpuClock.Read().Children;
        var (_, baseline) = await JobsetGenerator.InstantiateAsync(work, jobs, bases, Guid.NewGuid().ToString("N"));
        baselineCpu = cpuClock.Read().Children - baselineCpu;
        var salt = Guid.NewGuid().ToString("N");
        var file = Path.Combine(work, $"release-{salt}.nix");
        await File.WriteAllTextAsync(file, JobsetGenerator.Expression(jobs, bases, salt));
        var evaluator = new NixEvaluator(new NixProcessRunner(),
            Options.Create(new EvaluatorOptions { Workers = workers, NixEvalJobsPath = "", WorkerStores = workerStores }), hydraOptions: Options.Create(hydra));
        var jobset = await CreateJobsetAsync(dataSource, $"eval{workers}{(workerStores ? "own" : "machine")}{(label.Length > 0 ? "cold" : "")}");
        var clock = Stopwatch.StartNew();
        var startCpu = cpuClock.Read();
        var batches = new BatchCounter(clock, cpuClock);
        await using var stream = evaluator.EvaluateStreaming(file, new System.Text.Json.Nodes.JsonObject(), CancellationToken.None);
        var evaluatedCpu = stream.Completion.ContinueWith(_ => cpuClock.Read(), TaskScheduler.Default);
        var result = await ingester.IngestAsync(jobset, stream,
            completion => new EvaluationRecord(salt, "src", "release.nix", [], 0, completion.Elapsed.TotalSeconds, DateTimeOffset.UtcNow),
            batches, CancellationToken.None);
        var total = clock.Elapsed;
        var evaluated = (await stream.Completion).Elapsed;
        var (managed, workingSet) = Memory();
        Console.WriteLine($"evaluate+ingest, {workers} worker(s), {(workerStores ? "stores of their own" : "the machine's store")}{(label.Length > 0 ? $" ({label})" : "")}: " +
            $"nix-instantiate {baseline.TotalSeconds:F2} s; evaluation {evaluated.TotalSeconds:F2} s ({evaluated.TotalSeconds / baseline.TotalSeconds:F2}x); " +
            $"all {result.NewBuilds} builds queued after {batches.Queued.TotalSeconds:F2} s ({batches.Queued.TotalSeconds / baseline.TotalSeconds:F2}x); " +
            $"ingestion done (is_current moved) after {total.TotalSeconds:F2} s ({total.TotalSeconds / baseline.TotalSeconds:F2}x); " +
            $"memory after: managed {Mb(managed)} MB, working set {Mb(workingSet)} MB");
        Console.WriteLine($"  {batches}");
        var (evaluated1, queued) = (await evaluatedCpu, batches.QueuedCpu);
        Console.WriteLine($"  CPU: nix-instantiate {baselineCpu:F2} s, evaluation processes {evaluated1.Children - startCpu.Children:F2} s; ingestion while evaluating: " +
            $"this process {evaluated1.Own - startCpu.Own:F2} s + PostgreSQL {evaluated1.Server - startCpu.Server:F2} s; from the evaluation's end to queued: " +
            $"{queued.Own - evaluated1.Own:F2} s + {queued.Server - evaluated1.Server:F2} s");
        Console.WriteLine($"  ingestion's time: {result.Timings}");
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

static TimeSpan CpuTime()
{
    using var process = Process.GetCurrentProcess();
    return process.TotalProcessorTime;
}

static (long Managed, long WorkingSet) Memory()
{
    var managed = GC.GetTotalMemory(forceFullCollection: true);
    using var process = Process.GetCurrentProcess();
    return (managed, process.WorkingSet64);
}

static string Mb(long bytes) => (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture);

static async Task<long> CreateJobsetAsync(NpgsqlDataSource dataSource, string name)
{
    await using var command = dataSource.CreateCommand(
        $"""
         WITH p AS (INSERT INTO projects (name, display_name, owner, created_at) VALUES ('{name}', '{name}', 'bench', now()) RETURNING id)
         INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at) SELECT id, 'main', 'src', 'release.nix', now() FROM p RETURNING id
         """);
    return (long)(await command.ExecuteScalarAsync())!;
}

/// <summary>Prints each ingestion phase with the time since ingestion started.</summary>
internal sealed class Progress(Stopwatch clock) : IProgress<string>
{
    public void Report(string value) => Console.WriteLine($"  {clock.Elapsed.TotalSeconds,6:F2} s  {value}");
}

/// <summary>Counts the batches an ingestion wrote and when the last one was received.</summary>
internal sealed class BatchCounter(Stopwatch clock, CpuClock cpu) : IProgress<string>
{
    private int _received;
    private int _written;
    private TimeSpan _lastReceived;
    private TimeSpan _lastWritten;

    public void Report(string value)
    {
        if (value.StartsWith("received", StringComparison.Ordinal))
        {
            _received++;
            _lastReceived = clock.Elapsed;
        }
        else if (value.StartsWith("batch", StringComparison.Ordinal))
        {
            _written++;
            _lastWritten = clock.Elapsed;
            _lastBatch = value;
        }
        else
        {
            if (value.StartsWith("evaluation", StringComparison.Ordinal))
            {
                Queued = clock.Elapsed;
                QueuedCpu = cpu.Read();
            }
            _phases.Add($"{value} at {clock.Elapsed.TotalSeconds:F2} s");
        }
    }

    private readonly List<string> _phases = [];
    private string _lastBatch = "";

    /// <summary>When the evaluation was recorded: its builds are listed and their steps runnable.</summary>
    public TimeSpan Queued { get; private set; }

    /// <summary>CPU seconds (this process, its children, the database server) when the evaluation was recorded.</summary>
    public (double Own, double Children, double Server) QueuedCpu { get; private set; }

    public override string ToString() =>
        $"{_received} chunks received (last at {_lastReceived.TotalSeconds:F2} s), {_written} batches written (last at {_lastWritten.TotalSeconds:F2} s: {_lastBatch}); " +
        string.Join("; ", _phases);
}
