using System.Text;
using Hydra.Builder.Execution;
using Hydra.Builder.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hydra.Builder.Tests.Execution;

public sealed class LogStreamerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Never = TimeSpan.FromHours(1);

    [Fact]
    public async Task Sends_a_batch_at_the_size_threshold_without_waiting_for_the_interval()
    {
        var sender = new FakeSender();
        await using var streamer = Create(sender, new LogStreamerOptions { FlushInterval = Never, BatchBytes = 1024 });

        for (var i = 0; i < 20; i++)
        {
            streamer.WriteLine(new string('x', 99));
        }

        await sender.WaitForBatchesAsync(1);
        Assert.All(sender.Batches, b => Assert.True(b.Length <= 1024));
    }

    [Fact]
    public async Task Sends_a_small_tail_after_the_flush_interval()
    {
        var sender = new FakeSender();
        await using var streamer = Create(sender, new LogStreamerOptions { FlushInterval = TimeSpan.FromMilliseconds(50) });

        streamer.WriteLine("hello");

        await sender.WaitForBatchesAsync(1);
        Assert.Equal("hello\n", sender.Text);
    }

    [Fact]
    public async Task Complete_flushes_everything_in_order_in_bounded_batches()
    {
        var sender = new FakeSender();
        var streamer = Create(sender, new LogStreamerOptions { FlushInterval = Never, BatchBytes = 500 });
        var expected = new StringBuilder();

        for (var i = 0; i < 1000; i++)
        {
            streamer.WriteLine($"line {i}");
            expected.Append($"line {i}\n");
        }

        await streamer.CompleteAsync(CancellationToken.None);
        await streamer.DisposeAsync();

        Assert.Equal(expected.ToString(), sender.Text);
        Assert.All(sender.Batches, b => Assert.True(b.Length <= 500));
        Assert.Equal(0, streamer.DroppedBytes);
    }

    [Fact]
    public async Task Drops_the_oldest_lines_with_a_marker_when_the_server_is_slow()
    {
        var sender = new FakeSender { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var streamer = Create(sender, new LogStreamerOptions { FlushInterval = Never, BatchBytes = 100, MaxBufferedBytes = 1000 });

        streamer.WriteLine("first " + new string('x', 100));
        await sender.WaitForCallsAsync(1);

        // The first batch is stuck in flight; these must not block, and only the newest ~1000 bytes can stay.
        for (var i = 0; i < 200; i++)
        {
            streamer.WriteLine($"line {i:D3} ..........");
        }

        sender.Gate.SetResult();
        await streamer.CompleteAsync(CancellationToken.None);
        await streamer.DisposeAsync();

        var text = sender.Text;
        Assert.True(streamer.DroppedBytes > 0);
        Assert.StartsWith("first ", text, StringComparison.Ordinal);
        Assert.Contains($"[hydra-builder: {streamer.DroppedBytes} bytes of log dropped]\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("line 000", text, StringComparison.Ordinal);
        Assert.EndsWith("line 199 ..........\n", text, StringComparison.Ordinal);
        Assert.True(text.Length < 1300, $"sent {text.Length} bytes");
    }

    [Fact]
    public async Task Retries_a_batch_after_a_transient_failure()
    {
        var sender = new FakeSender { FailuresLeft = 1 };
        var streamer = Create(sender, new LogStreamerOptions { FlushInterval = TimeSpan.FromMilliseconds(20) });

        streamer.WriteLine("survives");
        await streamer.CompleteAsync(CancellationToken.None);
        await streamer.DisposeAsync();

        Assert.Equal("survives\n", sender.Text);
        Assert.Equal(2, sender.Calls);
    }

    [Fact]
    public async Task Stops_sending_once_the_lease_is_lost()
    {
        var sender = new FakeSender { LeaseLost = true };
        var streamer = Create(sender, new LogStreamerOptions { FlushInterval = Never, BatchBytes = 10 });

        streamer.WriteLine("0123456789");
        await sender.WaitForCallsAsync(1);
        streamer.WriteLine("more");
        await streamer.CompleteAsync(CancellationToken.None);
        await streamer.DisposeAsync();

        Assert.Equal(1, sender.Calls);
    }

    [Fact]
    public async Task Detach_sends_all_but_the_last_batch_and_hands_that_over_in_order()
    {
        var sender = new FakeSender();
        var streamer = Create(sender, new LogStreamerOptions { FlushInterval = Never, BatchBytes = 500 });
        var expected = new StringBuilder();
        for (var i = 0; i < 300; i++)
        {
            streamer.WriteLine($"line {i}");
            expected.Append($"line {i}\n");
        }

        var rest = await streamer.DetachAsync(CancellationToken.None);
        streamer.WriteLine("too late");
        await streamer.DisposeAsync();

        Assert.NotNull(rest);
        Assert.InRange(rest.Length, 1, 500);
        Assert.Equal(expected.ToString(), sender.Text + Encoding.UTF8.GetString(rest));
        Assert.All(sender.Batches, b => Assert.True(b.Length <= 500));
    }

    [Fact]
    public async Task Detach_sends_nothing_for_a_short_log_and_answers_null_when_all_is_sent()
    {
        var sender = new FakeSender();
        var streamer = Create(sender, new LogStreamerOptions { FlushInterval = Never });
        streamer.WriteLine("building '/nix/store/x.drv'...");

        var rest = await streamer.DetachAsync(CancellationToken.None);
        await streamer.DisposeAsync();

        Assert.Equal(0, sender.Calls);
        Assert.Equal("building '/nix/store/x.drv'...\n", Encoding.UTF8.GetString(rest!));

        var empty = Create(sender, new LogStreamerOptions { FlushInterval = Never });
        Assert.Null(await empty.DetachAsync(CancellationToken.None));
        await empty.DisposeAsync();
    }

    [Fact]
    public async Task Detach_gives_up_the_rest_when_the_server_stays_unreachable()
    {
        var sender = new FakeSender { FailuresLeft = int.MaxValue };
        var streamer = Create(sender, new LogStreamerOptions { FlushInterval = TimeSpan.FromMilliseconds(20), BatchBytes = 10 });
        streamer.WriteLine("0123456789");
        streamer.WriteLine("abc");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.Null(await streamer.DetachAsync(timeout.Token));
        await streamer.DisposeAsync();
        Assert.True(sender.Calls >= 1);
    }

    private static LogStreamer Create(FakeSender sender, LogStreamerOptions options) =>
        new(sender.SendAsync, options, TimeProvider.System, NullLogger.Instance);

    private sealed class FakeSender
    {
        private readonly Lock _gate = new();
        private readonly List<byte[]> _batches = [];
        private int _calls;

        public TaskCompletionSource? Gate { get; init; }

        public int FailuresLeft { get; set; }

        public bool LeaseLost { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public IReadOnlyList<byte[]> Batches
        {
            get
            {
                lock (_gate)
                {
                    return [.. _batches];
                }
            }
        }

        public string Text => string.Concat(Batches.Select(b => Encoding.UTF8.GetString(b)));

        public async Task SendAsync(ReadOnlyMemory<byte> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (LeaseLost)
            {
                throw new LeaseLostException(1);
            }

            if (Gate is not null)
            {
                await Gate.Task.WaitAsync(cancellationToken);
            }

            lock (_gate)
            {
                if (FailuresLeft > 0)
                {
                    FailuresLeft--;
                    throw new HttpRequestException("server hiccup");
                }

                _batches.Add(batch.ToArray());
            }
        }

        public Task WaitForBatchesAsync(int count) => WaitUntilAsync(() => Batches.Count >= count);

        public Task WaitForCallsAsync(int count) => WaitUntilAsync(() => Calls >= count);

        private static async Task WaitUntilAsync(Func<bool> condition)
        {
            using var timeout = new CancellationTokenSource(Patience);
            while (!condition())
            {
                await Task.Delay(10, timeout.Token);
            }
        }
    }
}
