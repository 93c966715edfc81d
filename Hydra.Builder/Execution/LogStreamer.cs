using System.Globalization;
using System.Text;
using Hydra.Builder.Transport;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Execution;

/// <summary>
/// Ships a step's log to the server in batches (every <see cref="LogStreamerOptions.FlushInterval"/>, or at
/// <see cref="LogStreamerOptions.BatchBytes"/>). <see cref="WriteLine"/> never blocks: when the server is slower
/// than Nix and more than <see cref="LogStreamerOptions.MaxBufferedBytes"/> are waiting, the oldest lines are
/// dropped and a marker saying how much was lost takes their place.
/// </summary>
public sealed class LogStreamer : IAsyncDisposable
{
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, Task> _send;
    private readonly LogStreamerOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<byte[]> _chunks = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _bufferedBytes;
    private long _droppedSinceLastBatch;
    private long _droppedTotal;
    private bool _completing;
    private bool _detaching;
    private bool _abandoned;

    /// <param name="send">Posts one batch of UTF-8 bytes; throws <see cref="LeaseLostException"/> when the attempt is gone.</param>
    public LogStreamer(
        Func<ReadOnlyMemory<byte>, CancellationToken, Task> send, LogStreamerOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _send = send;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
        _pump = Task.Run(() => PumpAsync(_stop.Token));
    }

    /// <summary>Bytes of log dropped because the server could not keep up.</summary>
    public long DroppedBytes
    {
        get
        {
            lock (_gate)
            {
                return _droppedTotal;
            }
        }
    }

    /// <summary>Queues one line (a newline is added). Never blocks on the network.</summary>
    public void WriteLine(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        if (bytes.Length > _options.BatchBytes)
        {
            // One enormous line must not become a batch of its own size; keep its start.
            bytes = [.. bytes.AsSpan(0, _options.BatchBytes - 1), (byte)'\n'];
        }

        lock (_gate)
        {
            if (_completing || _detaching || _abandoned)
            {
                return;
            }

            _chunks.Enqueue(bytes);
            _bufferedBytes += bytes.Length;
            while (_bufferedBytes > _options.MaxBufferedBytes && _chunks.Count > 1)
            {
                var oldest = _chunks.Dequeue();
                _bufferedBytes -= oldest.Length;
                _droppedSinceLastBatch += oldest.Length;
                _droppedTotal += oldest.Length;
            }

            if (_bufferedBytes >= _options.BatchBytes)
            {
                _wake.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Sends everything still buffered, then stops. If <paramref name="cancellationToken"/> fires first (the server
    /// is unreachable), the rest is given up: the finish report matters more than the log's tail.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _completing = true;
            _wake.TrySetResult();
        }

        // The step may dispose this streamer (lease lost) while a completion is still under way.
        await using (cancellationToken.Register(StopQuietly))
        {
            await _pump;
        }
    }

    private void StopQuietly()
    {
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: the pump has stopped already.
        }
    }

    /// <summary>
    /// Sends all but the last batch of what is buffered, stops, and returns that last batch (null when nothing is
    /// left) for the caller to deliver with its report. If <paramref name="cancellationToken"/> fires first (the server
    /// is unreachable), the rest is given up and the answer is null.
    /// </summary>
    public async Task<byte[]?> DetachAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _detaching = true;
            _wake.TrySetResult();
        }

        await using (cancellationToken.Register(StopQuietly))
        {
            await _pump;
        }

        lock (_gate)
        {
            return _abandoned || cancellationToken.IsCancellationRequested ? null : TakeBatch(leaveLast: false);
        }
    }

    /// <summary>Stops without sending what is left (the lease is gone).</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _abandoned = true;
            _chunks.Clear();
            _bufferedBytes = 0;
        }

        await _stop.CancelAsync();
        await _pump;
        _stop.Dispose();
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        byte[]? pending = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            await WaitForWorkAsync(cancellationToken);

            var failed = false;
            while (!cancellationToken.IsCancellationRequested && (pending ??= TakeBatch(leaveLast: true)) is not null)
            {
                try
                {
                    await _send(pending, cancellationToken);
                    pending = null;
                }
                catch (LeaseLostException)
                {
                    lock (_gate)
                    {
                        _abandoned = true;
                        _chunks.Clear();
                    }

                    return;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // Transient: keep the batch and try again on the next tick; meanwhile WriteLine drops the oldest if needed.
                    BuilderLog.LogBatchFailed(_logger, e);
                    failed = true;
                    break;
                }
            }

            lock (_gate)
            {
                if (pending is null
                    && (((_completing || _abandoned) && _chunks.Count == 0 && _droppedSinceLastBatch == 0) || (_detaching && RestFitsOneBatch())))
                {
                    return;
                }
            }

            if (failed)
            {
                await DelayAsync(_options.FlushInterval, cancellationToken);
            }
        }
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        Task wake;
        lock (_gate)
        {
            wake = _wake.Task;
        }

        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(wake, DelayAsync(_options.FlushInterval, delayCancellation.Token));
        await delayCancellation.CancelAsync();

        lock (_gate)
        {
            // Re-arm before draining, so a write that crosses the threshold during the drain wakes the next round.
            if (!_completing && !_detaching && _wake.Task.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <param name="leaveLast">When detaching, leave the rest once it fits in one batch: <see cref="DetachAsync"/> hands it over.</param>
    private byte[]? TakeBatch(bool leaveLast)
    {
        lock (_gate)
        {
            if ((_chunks.Count == 0 && _droppedSinceLastBatch == 0) || (leaveLast && _detaching && RestFitsOneBatch()))
            {
                return null;
            }

            using var batch = new MemoryStream();
            if (_droppedSinceLastBatch > 0)
            {
                var marker = string.Create(CultureInfo.InvariantCulture, $"[hydra-builder: {_droppedSinceLastBatch} bytes of log dropped]\n");
                batch.Write(Encoding.UTF8.GetBytes(marker));
                _droppedSinceLastBatch = 0;
            }

            while (_chunks.TryPeek(out var chunk) && (batch.Length == 0 || batch.Length + chunk.Length <= _options.BatchBytes))
            {
                _chunks.Dequeue();
                _bufferedBytes -= chunk.Length;
                batch.Write(chunk);
            }

            return batch.ToArray();
        }
    }

    /// <summary>Whether what is left, with a dropped-bytes marker, makes one batch at most. Call under the lock.</summary>
    private bool RestFitsOneBatch() => _bufferedBytes + (_droppedSinceLastBatch > 0 ? 64 : 0) <= _options.BatchBytes;

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Woken early or stopping: the caller looks at the state either way.
        }
    }
}
