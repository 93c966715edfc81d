using Hydra.Core.Protocol;
using Hydra.Queue.Dispatch;
using Hydra.Testing;
using Npgsql;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>How waiting claims learn that a report made work: a local pulse at once, one NOTIFY after the commit, none when disabled.</summary>
public sealed class WakeUpTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = $"wake-{Guid.NewGuid():N}-linux";

    [Fact]
    public async Task A_success_that_makes_a_dependent_runnable_pulses_this_process_and_notifies_others_after_the_commit()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        await queue.Notifier.StartAsync(CancellationToken.None);
        var worker = await queue.AddWorkerAsync("waker");
        var library = await queue.AddStepAsync("library", _system);
        var app = await queue.AddStepAsync("app", _system, library);
        await using var listener = await queue.DataSource.OpenConnectionAsync();
        var notified = new TaskCompletionSource<short>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Notification += (_, _) => notified.TrySetResult(StateOf(app));
        await using (var listen = new NpgsqlCommand($"LISTEN {QueueChannels.StepsRunnable}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        var claim = (await queue.Claimer.TryClaimAsync(worker, "waker", new ClaimRequest([_system], [], 0), CancellationToken.None))!;
        var pulse = queue.Signal.Current;

        await FinishAsync(queue, claim.AttemptId, worker);
        var pulsed = pulse.IsCompleted;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await listener.WaitAsync(timeout.Token);
        await queue.Notifier.StopAsync(CancellationToken.None);

        Assert.True(pulsed, "the report should wake this process's waiting claims at once");
        Assert.Equal(1, await notified.Task);
    }

    [Fact]
    public async Task With_notify_off_a_report_still_pulses_this_process_but_sends_no_notify()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        queue.QueueOptions.UseNotify = false;
        await queue.Notifier.StartAsync(CancellationToken.None);
        var worker = await queue.AddWorkerAsync("quiet");
        var library = await queue.AddStepAsync("library", _system);
        await queue.AddStepAsync("app", _system, library);
        await using var listener = await queue.DataSource.OpenConnectionAsync();
        var notifications = 0;
        listener.Notification += (_, _) => Interlocked.Increment(ref notifications);
        await using (var listen = new NpgsqlCommand($"LISTEN {QueueChannels.StepsRunnable}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        var claim = (await queue.Claimer.TryClaimAsync(worker, "quiet", new ClaimRequest([_system], [], 0), CancellationToken.None))!;
        var pulse = queue.Signal.Current;

        await FinishAsync(queue, claim.AttemptId, worker);
        // A NOTIFY sent by the notifier would arrive before the answer to this round trip on the same server.
        await using (var roundTrip = new NpgsqlCommand($"SELECT pg_notify('{QueueChannels.StepsRunnable}', 'marker')", listener))
        {
            await roundTrip.ExecuteNonQueryAsync();
        }

        await queue.Notifier.StopAsync(CancellationToken.None);

        Assert.True(pulse.IsCompleted);
        Assert.Equal(1, notifications);
    }

    private short StateOf(long step)
    {
        using var connection = new NpgsqlConnection(database.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"SELECT state FROM steps WHERE id = {step}", connection);
        return (short)command.ExecuteScalar()!;
    }

    private static async Task FinishAsync(QueueHarness queue, long attempt, long worker) =>
        Assert.Equal(Completion.FinishResult.Accepted,
            await queue.Results.FinishAsync(attempt, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None));
}
