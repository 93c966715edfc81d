using System.Threading.Channels;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// An evaluation in progress. <see cref="Jobs"/> yields every job that is not an aggregate as soon as
/// the shard that evaluated it finishes, so ingestion can start while later shards still evaluate;
/// <see cref="Completion"/> then gives the aggregates and the job errors. A streamed job never turns
/// into an error later: only aggregates can fail on their constituents. An evaluation that fails as a
/// whole (<see cref="EvaluationFailedException"/>) fails while listing the jobs, before any job is
/// yielded; <see cref="Jobs"/> and <see cref="Completion"/> both throw it. Disposing stops the processes.
/// </summary>
public sealed class EvaluationStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;

    internal EvaluationStream(Func<ChannelWriter<EvaluatedJob>, CancellationToken, Task<EvaluationCompletion>> produce, CancellationToken cancellationToken)
    {
        // Unbounded: a job is a few hundred bytes, and the evaluation processes must never wait on the database.
        var channel = Channel.CreateUnbounded<EvaluatedJob>(new UnboundedChannelOptions { SingleReader = true });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Jobs = channel.Reader;
        Completion = ProduceAsync(channel.Writer, produce, _stop.Token);
    }

    /// <summary>The jobs that are not aggregates, as shards finish (in no particular order).</summary>
    public ChannelReader<EvaluatedJob> Jobs { get; }

    /// <summary>Aggregates and errors; completes after <see cref="Jobs"/> has received its last job.</summary>
    public Task<EvaluationCompletion> Completion { get; }

    /// <summary>A stream over an evaluation that already finished (every job at once, no aggregates held back).</summary>
    public static EvaluationStream FromEvaluation(JobsetEvaluation evaluation) =>
        new((writer, _) =>
        {
            foreach (var job in evaluation.Jobs)
            {
                writer.TryWrite(job);
            }
            return Task.FromResult(new EvaluationCompletion([], evaluation.Errors, TimeSpan.Zero));
        }, CancellationToken.None);

    private static async Task<EvaluationCompletion> ProduceAsync(
        ChannelWriter<EvaluatedJob> writer, Func<ChannelWriter<EvaluatedJob>, CancellationToken, Task<EvaluationCompletion>> produce, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            var completion = await produce(writer, cancellationToken);
            writer.TryComplete();
            return completion;
        }
        catch (Exception exception)
        {
            writer.TryComplete(exception);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        catch (Exception)
        {
            // Observed by whoever read the stream; disposing only makes sure no process outlives it.
        }
        _stop.Dispose();
    }
}
