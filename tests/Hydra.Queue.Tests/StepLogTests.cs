using System.Text;
using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

/// <summary>Durable step logs: capped while written, compressed when the step ends, read back raw and as a tail.</summary>
public sealed class StepLogTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = $"alpha-linux-{Guid.NewGuid():N}";

    [Fact]
    public async Task Batches_past_the_log_limit_are_cut_with_a_marker_and_later_ones_dropped()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        queue.QueueOptions.MaxLogSize = 1000;
        const long step = 900_001;

        await queue.Logs.AppendAsync(step, new MemoryStream(Encoding.UTF8.GetBytes(new string('x', 200_000))), CancellationToken.None);
        var afterCut = new FileInfo(queue.LogStore.PlainPath(step)).Length;
        await queue.Logs.AppendAsync(step, new MemoryStream("more\n"u8.ToArray()), CancellationToken.None);

        var text = await File.ReadAllTextAsync(queue.LogStore.PlainPath(step));
        Assert.Equal(afterCut, new FileInfo(queue.LogStore.PlainPath(step)).Length);
        Assert.InRange(text.Length, 1000 + StepLogWriterSlack, 1000 + StepLogWriterSlack + 200);
        Assert.EndsWith("[hydra: log truncated here: it passed the limit of 1000 bytes]\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("more", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finished_step_log_is_compressed_and_reads_back_whole_and_as_a_tail()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-log");
        var step = await queue.AddStepAsync("logged", _system);
        await queue.AddBuildAsync(step);
        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;
        var lines = string.Concat(Enumerable.Range(1, 5000).Select(i => $"compiling module {i} of 5000\n"));
        await queue.Logs.AppendAsync(step, new MemoryStream(Encoding.UTF8.GetBytes(lines)), CancellationToken.None);
        var plainSize = new FileInfo(queue.LogStore.PlainPath(step)).Length;
        var live = await ReadAllAsync(queue, step);

        await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Failed, 100, "no", []), CancellationToken.None);

        Assert.False(File.Exists(queue.LogStore.PlainPath(step)), "the plain log should be gone once compressed");
        Assert.InRange(new FileInfo(queue.LogStore.CompressedPath(step)).Length, 1, plainSize / 4);
        Assert.Equal(live, await ReadAllAsync(queue, step));
        Assert.EndsWith(lines, live, StringComparison.Ordinal);
        Assert.Equal("compiling module 4999 of 5000\ncompiling module 5000 of 5000", await queue.LogStore.ReadTailAsync(step, 2, CancellationToken.None));
    }

    [Fact]
    public async Task A_step_that_runs_again_appends_after_its_compressed_log_and_is_merged_at_its_next_end()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        const long step = 900_002;
        await queue.Logs.AppendTextAsync(step, "first run\nfailed\n", CancellationToken.None);
        await queue.LogStore.CompressAsync(step, CancellationToken.None);

        await queue.Logs.AppendTextAsync(step, "second run\n", CancellationToken.None);

        Assert.Equal("first run\nfailed\nsecond run\n", await ReadAllAsync(queue, step));
        Assert.Equal("failed\nsecond run", await queue.LogStore.ReadTailAsync(step, 2, CancellationToken.None));
        Assert.Equal("first run\nfailed\nsecond run", await queue.LogStore.ReadTailAsync(step, 10, CancellationToken.None));

        await queue.LogStore.CompressAsync(step, CancellationToken.None);

        Assert.False(File.Exists(queue.LogStore.PlainPath(step)));
        Assert.Equal("first run\nfailed\nsecond run\n", await ReadAllAsync(queue, step));
    }

    [Fact]
    public async Task The_tail_of_a_compressed_log_with_very_long_lines_is_still_whole_lines()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        const long step = 900_004;
        var lines = Enumerable.Range(0, 10).Select(i => $"{i}:" + new string((char)('a' + i), 100_000)).ToList();
        await queue.Logs.AppendTextAsync(step, string.Join('\n', lines) + "\n", CancellationToken.None);
        await queue.LogStore.CompressAsync(step, CancellationToken.None);

        var tail = await queue.LogStore.ReadTailAsync(step, 5, CancellationToken.None);

        Assert.Equal(string.Join('\n', lines.TakeLast(5)), tail);
    }

    [Fact]
    public async Task A_retried_step_keeps_a_plain_log_and_a_step_without_log_has_none()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("w-retry");
        var step = await queue.AddStepAsync("retried", _system);
        var claim = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;
        var first = (await queue.Leases.StartLogBatchAsync(claim.AttemptId, worker, CancellationToken.None))!;
        await queue.Logs.AppendAsync(first, new MemoryStream("fetching\n"u8.ToArray()), CancellationToken.None);

        await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Aborted, 1, "lost", []), CancellationToken.None);

        Assert.True(File.Exists(queue.LogStore.PlainPath(step)), "a step that will run again keeps appending to its plain log");
        Assert.False(File.Exists(queue.LogStore.CompressedPath(step)));
        queue.Clock.Advance(TimeSpan.FromHours(1));
        var retry = (await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([_system], [], 0), CancellationToken.None))!;
        var second = (await queue.Leases.StartLogBatchAsync(retry.AttemptId, worker, CancellationToken.None))!;
        await queue.Logs.AppendAsync(second, new MemoryStream("again\n"u8.ToArray()), CancellationToken.None);
        var log = await File.ReadAllTextAsync(queue.LogStore.PlainPath(step));
        Assert.Matches("^=== attempt 1 of .* ===\nfetching\n\n=== attempt 2 of .* on w-retry at .* ===\nagain\n$", log);
        Assert.Null(queue.LogStore.OpenRead(900_003));
        Assert.Null(await queue.LogStore.ReadTailAsync(900_003, 10, CancellationToken.None));
    }

    private static long StepLogWriterSlack => Logs.StepLogWriter.Slack;

    private static async Task<string> ReadAllAsync(QueueHarness queue, long step)
    {
        await using var stream = queue.LogStore.OpenRead(step)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
