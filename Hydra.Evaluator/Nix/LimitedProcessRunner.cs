using System.Text;
using Hydra.Core.Processes;
using Microsoft.Extensions.Logging;

namespace Hydra.Evaluator.Nix;

/// <summary>
/// Runs one evaluation process under the evaluator's limits: <c>EvalTimeout</c> (the process tree is
/// killed) and <c>MaxMemoryMiB</c> as an address-space limit through <c>prlimit --as</c>. Without prlimit
/// the process runs unlimited, with a warning logged once.
/// </summary>
internal sealed partial class LimitedProcessRunner(INixProcessRunner runner, EvaluatorOptions options, ILogger logger)
{
    private static readonly Lazy<string?> Prlimit = new(() => ExecutableSearch.Find("prlimit"));
    private static int _warnedNoPrlimit;

    /// <summary>
    /// Runs <paramref name="fileName"/> to completion. <paramref name="consume"/>, when given, sees every
    /// standard error line first (one at a time, in order) and takes it out of the result by returning true.
    /// </summary>
    public async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        bool limitMemory, CancellationToken cancellationToken, Func<string, bool>? consume = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.EvalTimeout);
        var request = new NixProcessRequest(fileName, arguments, environment);
        limitMemory &= options.MaxMemoryMiB > 0;
        if (limitMemory)
        {
            if (Prlimit.Value is { } prlimit)
            {
                request = request with { FileName = prlimit, Arguments = [$"--as={(long)options.MaxMemoryMiB * 1024 * 1024}", "--", fileName, .. arguments] };
            }
            else if (Interlocked.Exchange(ref _warnedNoPrlimit, 1) == 0)
            {
                LogNoPrlimit(logger, options.MaxMemoryMiB);
            }
        }

        var output = new StringBuilder();
        var errors = new StringBuilder();
        try
        {
            var exitCode = await runner.RunAsync(request, line =>
            {
                // Lock contention on the Nix database is noise, not part of a job's error: leaving it in
                // would make the same failure read differently depending on what else ran at the time.
                if (!(line.IsStandardError && (IsStoreLockNoise(line.Text) || consume?.Invoke(line.Text) == true)))
                {
                    (line.IsStandardError ? errors : output).AppendLine(line.Text);
                }
            }, timeout.Token);
            var message = errors.ToString().Trim();
            if (exitCode != 0 && limitMemory && message.Contains("out of memory", StringComparison.OrdinalIgnoreCase))
            {
                message += $"\n(the evaluation ran out of memory: each evaluation process may use at most {options.MaxMemoryMiB} MiB, Hydra:Evaluator:MaxMemoryMiB)";
            }
            else if (exitCode != 0 && message.Length == 0)
            {
                message = $"{fileName} exited with code {exitCode} without a message (killed by a signal?)";
            }
            return new ProcessResult(exitCode, output.ToString(), message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProcessResult(-1, "",
                $"evaluation exceeded the time limit of {options.EvalTimeout} (Hydra:Evaluator:EvalTimeout) and was stopped");
        }
        catch (NixProcessStartException exception)
        {
            throw new EvaluationFailedException($"{fileName} could not be started; is Nix installed? {exception.Message}");
        }
    }

    [LoggerMessage(EventId = 1150, Level = LogLevel.Warning,
        Message = "prlimit is not installed; evaluation processes run without the {MaxMemoryMiB} MiB memory limit")]
    private static partial void LogNoPrlimit(ILogger logger, int maxMemoryMiB);

    private static bool IsStoreLockNoise(string line) =>
        line.StartsWith("warning: SQLite database", StringComparison.Ordinal) && line.Contains("is busy", StringComparison.Ordinal);
}
