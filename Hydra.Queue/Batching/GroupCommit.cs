using Npgsql;

namespace Hydra.Queue.Batching;

/// <summary>
/// Group commit: callers that arrive while a batch is running wait and are served together by the next one,
/// so N concurrent calls cost about one statement instead of N. A lone caller runs at once (a batch of one);
/// batches form only under load, which is when they pay.
/// </summary>
/// <remarks>
/// At most <paramref name="maxInFlight"/> batches run at a time, each of at most <paramref name="maxBatch"/>
/// items. A batch runs without the callers' cancellation tokens (it serves many callers; one giving up must not
/// undo the others' work), so a caller that stops waiting must clean up after a result it no longer wants.
/// A batch that fails with a deadlock or a serialization failure (PostgreSQL rolled all of it back) is run
/// again; any other error goes to every caller of the batch.
/// </remarks>
internal sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<TResult[]>> runBatch, int maxBatch, int maxInFlight)
{
    private const int MaxRetries = 5;

    private readonly Lock _lock = new();
    private readonly Queue<(TItem Item, TaskCompletionSource<TResult> Result)> _pending = new();
    private int _inFlight;

    /// <summary>Queues <paramref name="item"/>; the task completes when the batch holding it has run.</summary>
    public Task<TResult> RunAsync(TItem item)
    {
        var result = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lead;
        lock (_lock)
        {
            _pending.Enqueue((item, result));
            lead = _inFlight < maxInFlight;
            if (lead)
            {
                _inFlight++;
            }
        }
        return lead ? LeadAsync(result.Task) : result.Task;
    }

    /// <summary>
    /// The caller that found no batch running runs the next one itself (no thread hop: a lone call costs what a plain
    /// statement would); who queued meanwhile is served by further batches on the thread pool.
    /// </summary>
    private async Task<TResult> LeadAsync(Task<TResult> own)
    {
        if (await RunNextBatchAsync())
        {
            _ = Task.Run(DrainAsync);
        }
        return await own;
    }

    private async Task DrainAsync()
    {
        while (await RunNextBatchAsync())
        {
        }
    }

    /// <summary>Runs the pending items (up to <c>maxBatch</c>); false when none were left and this runner stopped.</summary>
    private async Task<bool> RunNextBatchAsync()
    {
        List<(TItem Item, TaskCompletionSource<TResult> Result)> batch;
        lock (_lock)
        {
            if (_pending.Count == 0)
            {
                _inFlight--;
                return false;
            }
            batch = new List<(TItem, TaskCompletionSource<TResult>)>(Math.Min(_pending.Count, maxBatch));
            while (batch.Count < maxBatch && _pending.TryDequeue(out var next))
            {
                batch.Add(next);
            }
        }
        try
        {
            var results = await RunWithRetriesAsync(batch.Select(b => b.Item).ToArray());
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(results[i]);
            }
        }
        catch (Exception exception)
        {
            foreach (var (_, result) in batch)
            {
                result.TrySetException(exception);
            }
        }
        return true;
    }

    private async Task<TResult[]> RunWithRetriesAsync(TItem[] items)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await runBatch(items);
            }
            catch (PostgresException exception) when (attempt < MaxRetries &&
                exception.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Rows of one batch are locked in the order PostgreSQL meets them, so two batches can wait on each
                // other (say, builds shared by their steps); PostgreSQL aborted this one as a whole: run it again.
            }
        }
    }
}
