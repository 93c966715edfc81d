using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Core.Notifications.Sinks;

/// <summary>
/// Hydra's RunCommand: runs <c>settings.command</c> with <c>/bin/sh -c</c> for each subscribed event of the
/// matching jobs, with <c>$HYDRA_JSON</c> naming a file that describes the build (<see cref="EventJson"/>).
/// Output (stdout and stderr, the end kept past <c>RunCommandMaxOutput</c>) and exit code go to
/// <c>run_command_logs</c>, shown on the build page: this is how a team deploys what passed. A non-zero exit is
/// a failed delivery, listed on /admin/notifications, and not retried by itself (a deployment should not run
/// again unasked); a crash while it runs does run it again, since delivery is at least once.
/// </summary>
public sealed class RunCommandSink(NpgsqlDataSource dataSource, EventJson eventJson, IOptions<NotificationOptions> options, TimeProvider clock)
    : INotificationSink
{
    public string Kind => NotificationSinkKinds.RunCommand;

    public async Task<DeliveryResult> DeliverAsync(DeliveryContext delivery, CancellationToken cancellationToken)
    {
        if (delivery.Sink.Get("command") is not { } command)
        {
            return DeliveryResult.Fatal("The RunCommand sink has no command.");
        }
        if (delivery.Build is null)
        {
            return DeliveryResult.Skipped("RunCommand runs for build events only.");
        }
        var jsonFile = Path.Combine(Path.GetTempPath(), $"hydra-runcommand-{delivery.DeliveryId}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(jsonFile, (await eventJson.CreateAsync(delivery, cancellationToken)).ToJsonString(), cancellationToken);
        var logId = await StartLogAsync(delivery, command, cancellationToken);
        try
        {
            var (exitCode, output) = await RunAsync(command, jsonFile, cancellationToken);
            await FinishLogAsync(logId, exitCode, output);
            return exitCode switch
            {
                0 => DeliveryResult.Delivered,
                null => DeliveryResult.Fatal($"The command ran longer than {options.Value.RunCommandTimeout} and was killed."),
                _ => DeliveryResult.Fatal($"The command exited with {exitCode}."),
            };
        }
        finally
        {
            File.Delete(jsonFile);
        }
    }

    /// <summary>Runs the command; the exit code is null when it was killed for running too long.</summary>
    private async Task<(int? ExitCode, string Output)> RunAsync(string command, string jsonFile, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["HYDRA_JSON"] = jsonFile;
        using var process = Process.Start(start) ?? throw new IOException("/bin/sh did not start.");
        var output = new OutputTail(options.Value.RunCommandMaxOutput);
        process.OutputDataReceived += (_, line) => output.Add(line.Data);
        process.ErrorDataReceived += (_, line) => output.Add(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.RunCommandTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            await process.WaitForExitAsync(CancellationToken.None);
            return (process.ExitCode, output.ToString());
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            return (null, output.ToString());
        }
    }

    private async Task<long> StartLogAsync(DeliveryContext delivery, string command, CancellationToken cancellationToken)
    {
        await using var insert = dataSource.CreateCommand(
            """
            INSERT INTO run_command_logs (build_id, sink_id, delivery_id, command, started_at)
            VALUES (@build, @sink, @delivery, @command, @now) RETURNING id
            """);
        insert.Parameters.AddWithValue("build", delivery.Build!.Id);
        insert.Parameters.AddWithValue("sink", delivery.Sink.Id);
        insert.Parameters.AddWithValue("delivery", delivery.DeliveryId);
        insert.Parameters.AddWithValue("command", command);
        insert.Parameters.AddWithValue("now", clock.GetUtcNow());
        return (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task FinishLogAsync(long logId, int? exitCode, string output)
    {
        await using var update = dataSource.CreateCommand(
            "UPDATE run_command_logs SET exit_code = @exit, output = @output, finished_at = @now WHERE id = @id");
        update.Parameters.AddWithValue("id", logId);
        update.Parameters.AddWithValue("exit", (object?)exitCode ?? DBNull.Value);
        update.Parameters.AddWithValue("output", output.Replace("\0", "", StringComparison.Ordinal));
        update.Parameters.AddWithValue("now", clock.GetUtcNow());
        await update.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>The last <c>max</c> characters of the lines a process wrote, from two threads.</summary>
    private sealed class OutputTail(int max)
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _lock = new();
        private bool _truncated;

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_lock)
            {
                _text.Append(line).Append('\n');
                if (_text.Length > max)
                {
                    _text.Remove(0, _text.Length - max);
                    _truncated = true;
                }
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                return _truncated ? "[... earlier output dropped ...]\n" + _text : _text.ToString();
            }
        }
    }
}
