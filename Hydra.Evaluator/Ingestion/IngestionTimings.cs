using System.Diagnostics;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// Where an ingestion's time went, summed over its batches: planning (reading and parsing <c>.drv</c>
/// files, the step graph), pushing <c>.drv</c> closures to the cache (concurrent with planning), the
/// batch transactions, the final transaction and the <c>is_current</c> move. Also the tail: from the
/// evaluation's last job to the final commit, the time that adds to an evaluation's wall time.
/// </summary>
public sealed class IngestionTimings
{
    private long _plan;
    private long _push;
    private long _write;
    private long _finalize;
    private long _current;

    public TimeSpan Plan => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _plan));
    public TimeSpan Push => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _push));
    public TimeSpan Write => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _write));
    public TimeSpan Finalize => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _finalize));
    public TimeSpan Current => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _current));

    /// <summary>From the last job received to the final transaction's commit.</summary>
    public TimeSpan Tail { get; internal set; }

    internal void AddPlan(long start) => Interlocked.Add(ref _plan, Stopwatch.GetTimestamp() - start);
    internal void AddPush(long start) => Interlocked.Add(ref _push, Stopwatch.GetTimestamp() - start);
    internal void AddWrite(long start) => Interlocked.Add(ref _write, Stopwatch.GetTimestamp() - start);
    internal void AddFinalize(long start) => Interlocked.Add(ref _finalize, Stopwatch.GetTimestamp() - start);
    internal void AddCurrent(long start) => Interlocked.Add(ref _current, Stopwatch.GetTimestamp() - start);

    public override string ToString() =>
        $"plan {Plan.TotalSeconds:F2} s, push {Push.TotalSeconds:F2} s, write {Write.TotalSeconds:F2} s, " +
        $"final transaction {Finalize.TotalSeconds:F2} s, is_current {Current.TotalSeconds:F2} s; tail {Tail.TotalSeconds:F2} s";
}
