using System.ComponentModel;
using System.Diagnostics;
using Hydra.Core.Processes;

namespace Hydra.Builder.Nix;

/// <summary>
/// A long-lived Nix process spoken to over its stdin and stdout (<c>nix-store --serve</c>, <c>nix-daemon --stdio</c>):
/// the pipes, Nix's messages on stderr (passed on line by line, the last few kept for error messages) and a kill
/// that takes the builds it started with it (<see cref="ProcessTree"/>).
/// </summary>
public sealed class NixChildProcess : IAsyncDisposable
{
    private const int KeptStandardErrorLines = 5;

    private readonly Process _process;
    private readonly Task _stderr;
    private readonly Queue<string> _lastStandardError = new();
    private readonly Lock _gate = new();

    private NixChildProcess(Process process, Action<string> onStandardError)
    {
        _process = process;
        Input = new BufferedStream(process.StandardInput.BaseStream, 64 * 1024);
        Output = process.StandardOutput.BaseStream;
        _stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_gate)
                {
                    _lastStandardError.Enqueue(line);
                    if (_lastStandardError.Count > KeptStandardErrorLines)
                    {
                        _lastStandardError.Dequeue();
                    }
                }

                onStandardError(line);
            }
        });
    }

    /// <summary>Nix's stdin, buffered: flush after each request.</summary>
    public Stream Input { get; }

    /// <summary>Nix's stdout.</summary>
    public Stream Output { get; }

    /// <summary>The last lines Nix wrote to stderr, for the message of a failure (Nix's own words say most).</summary>
    public string LastStandardError
    {
        get
        {
            lock (_gate)
            {
                return string.Join('\n', _lastStandardError);
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with the inherited environment plus <paramref name="environment"/>.</summary>
    /// <exception cref="NixProcessStartException">The program could not be started.</exception>
    public static NixChildProcess Start(
        string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, Action<string> onStandardError)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new NixProcessStartException($"{fileName} {string.Join(' ', arguments)}", e);
        }

        return new NixChildProcess(process, onStandardError);
    }

    /// <summary>Kills Nix and everything it started (a running build). The pipes then end; <see cref="DisposeAsync"/> still follows.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            ProcessTree.Kill(_process);
        }
    }

    /// <summary>Waits (briefly) for stderr to be read to its end, so <see cref="LastStandardError"/> holds Nix's last words.</summary>
    public async Task DrainStandardErrorAsync(TimeSpan timeout) =>
        await Task.WhenAny(_stderr, Task.Delay(timeout));

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing stdin ends Nix's loop; killing covers a Nix that is stuck.
            await Input.DisposeAsync();
        }
        catch (IOException)
        {
            // Nix is gone already.
        }

        Kill();
        await _process.WaitForExitAsync(CancellationToken.None);
        await _stderr;
        _process.Dispose();
    }
}
