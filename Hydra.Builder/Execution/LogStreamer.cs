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
            if (_completing || _abandoned)
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

        await using (cancellationToken.Register(_stop.Cancel))
        {
            await _pump;
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
            while (!cancellationToken.IsCancellationRequested && (pending ??= TakeBatch()) is not null)
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
                if ((_completing || _abandoned) && pending is null && _chunks.Count == 0 && _droppedSinceLastBatch == 0)
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
            if (!_completing && _wake.Task.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private byte[]? TakeBatch()
    {
        lock (_gate)
        {
            if (_chunks.Count == 0 && _droppedSinceLastBatch == 0)
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
