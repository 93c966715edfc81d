using System.Diagnostics.Metrics;
using Hydra.Core.Protocol;

namespace Hydra.Queue.Metrics;

/// <summary>
/// The queue's instruments (meter <see cref="MeterName"/>): claims and finishes as they happen, the time a step
/// waited runnable before a worker took it, and how long attempts ran. <see cref="MetricsCollector"/> aggregates
/// them for <c>GET /metrics</c>; the gauges that live in the database are read at scrape time instead
/// (<see cref="QueueGauges"/>). Static, so the claim and report paths record without a dependency to inject;
/// several servers in one process (tests) therefore share the counts.
/// </summary>
public static class QueueMetrics
{
    public const string MeterName = "Hydra.Queue";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Bucket bounds in seconds for waits and build times, from a blink to a long build.</summary>
    private static readonly double[] SecondsBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 4 * 3600, 12 * 3600];

    private static readonly Counter<long> Claims =
        Meter.CreateCounter<long>("hydra_queue_claims", description: "Steps handed to a worker (claims that found one).");

    private static readonly Counter<long> Finishes =
        Meter.CreateCounter<long>("hydra_queue_finishes", description: "Worker reports applied, by outcome.");

    private static readonly Histogram<double> RunnableWait = Meter.CreateHistogram(
        "hydra_queue_runnable_wait", "s", "Time from a step becoming runnable (or its retry time) to a worker claiming it.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram(
        "hydra_queue_step_duration", "s", "Time from claim to the worker's report, by outcome.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });

    /// <summary>A claim handed out a step that had waited <paramref name="waitSeconds"/> since it could run.</summary>
    public static void RecordClaim(double waitSeconds)
    {
        Claims.Add(1);
        RunnableWait.Record(Math.Max(0, waitSeconds));
    }

    /// <summary>A report was applied: the attempt ran <paramref name="duration"/> and ended with <paramref name="outcome"/>.</summary>
    public static void RecordFinish(StepOutcome outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", OutcomeName(outcome));
        Finishes.Add(1, tag);
        StepDuration.Record(Math.Max(0, duration.TotalSeconds), tag);
    }

    private static string OutcomeName(StepOutcome outcome) => outcome switch
    {
        StepOutcome.Succeeded => "succeeded",
        StepOutcome.Failed => "failed",
        StepOutcome.TimedOut => "timed_out",
        StepOutcome.Aborted => "aborted",
        StepOutcome.FailedWithOutput => "failed_with_output",
        StepOutcome.LogLimitExceeded => "log_limit_exceeded",
        StepOutcome.OutputLimitExceeded => "output_limit_exceeded",
        _ => "other",
    };
}
