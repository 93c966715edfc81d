using System.ComponentModel;
using System.Diagnostics;

namespace Hydra.Core.Processes;

/// <summary>The real <see cref="INixProcessRunner"/>: <see cref="Process"/> with an argument list, no shell.</summary>
public sealed class NixProcessRunner : INixProcessRunner
{
    public async Task<int> RunAsync(NixProcessRequest request, Action<OutputLine> onLine, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var startInfo = new ProcessStartInfo(request.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in request.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in request.Environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            throw new NixProcessStartException(request.ToString(), e);
        }

        // Nix never reads stdin here; closing it keeps a prompt from hanging the build.
        process.StandardInput.Close();

        var gate = new Lock();
        var stdout = PumpAsync(process.StandardOutput, isStandardError: false);
        var stderr = PumpAsync(process.StandardError, isStandardError: true);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Nix forks builders; kill them too, or they would keep running (and holding locks) unseen.
            ProcessTree.Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            await Task.WhenAll(stdout, stderr);
            throw;
        }

        await Task.WhenAll(stdout, stderr);
        return process.ExitCode;

        async Task PumpAsync(StreamReader reader, bool isStandardError)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lock (gate)
                {
                    onLine(new OutputLine(line, isStandardError));
                }
            }
        }
    }
}
