using System.Globalization;
using System.Text.RegularExpressions;
using Hydra.Builder.Nix.Serve;
using Hydra.Core.Processes;

namespace Hydra.Builder.Nix.Daemon;

/// <summary>
/// One long-lived <c>nix-daemon --stdio</c> process on the worker's own store: builds a step's derivation over
/// Nix's worker protocol without starting a Nix process per step. With <c>NIX_REMOTE=local</c> the daemon serves
/// the connection itself, in this process's mount namespace, so each worker keeps its own store; it substitutes a
/// missing <c>.drv</c> and inputs from the farm's cache (checking signatures) as <c>nix-store --realise</c> did,
/// and the build's log comes back as structured messages. Not thread-safe: one caller at a time
/// (<see cref="NixDaemonPool"/>). A cancelled build kills the process (and the build): the session is then
/// <see cref="IsBroken"/> and must be disposed, as after any call that failed half-way.
/// </summary>
public sealed partial class NixDaemonSession : IAsyncDisposable
{
    private static readonly TimeSpan LastWordsTimeout = TimeSpan.FromSeconds(2);

    private readonly NixChildProcess _nix;
    private readonly Stream _input;
    private readonly Stream _output;

    private NixDaemonSession(NixDaemonSettings settings, NixChildProcess nix)
    {
        Settings = settings;
        _nix = nix;
        _input = nix.Input;
        _output = nix.Output;
    }

    public NixDaemonSettings Settings { get; }

    /// <summary>Builds this session ran; the daemon keeps every path it touched alive (temporary GC roots) until it exits.</summary>
    public int Builds { get; private set; }

    /// <summary>A call failed half-way, was cancelled, or Nix exited: the session cannot be used again.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Starts <c>nix-daemon --stdio</c> and exchanges the greeting.</summary>
    /// <param name="cacheHome">
    /// Nix's <c>XDG_CACHE_HOME</c>: Nix 2.8 keeps its narinfo cache in one SQLite file there, and two processes inserting
    /// the same narinfo at once fail with "constraint failed"; so each session gets a directory of its own.
    /// </param>
    /// <param name="onStandardError">What Nix writes to stderr (the protocol carries the build's messages; this is for Nix's own failures).</param>
    /// <exception cref="NixProcessStartException">nix-daemon could not be started.</exception>
    /// <exception cref="IOException">Nix ended the conversation (its last words are in the message).</exception>
    /// <exception cref="InvalidDataException">The daemon does not speak a protocol we understand.</exception>
    public static async Task<NixDaemonSession> StartAsync(
        NixDaemonSettings settings, string cacheHome, Action<string> onStandardError, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(NixEnvironment.Overrides(settings.ConfigLines), StringComparer.Ordinal)
        {
            ["XDG_CACHE_HOME"] = cacheHome,
        };
        var session = new NixDaemonSession(settings, NixChildProcess.Start("nix-daemon", ["--stdio"], environment, onStandardError));
        try
        {
            await session.GuardAsync(() => session.HandshakeAsync(cancellationToken), cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Builds every output of <paramref name="drvPath"/> (<c>wopBuildPathsWithResults</c>), substituting what it can.
    /// Nix enforces the time limits (0 = none). <paramref name="onLogLine"/> gets the lines <c>nix-store --realise</c>
    /// printed: Nix's messages ("building '...'", "copying path ..."), the builder's output, and at the end Nix's
    /// error, if any. Cancelling kills the build.
    /// </summary>
    /// <param name="useSubstitutes">
    /// False when the caller knows the <c>.drv</c> and every input are valid here: Nix then does not ask the cache
    /// for the outputs first (an HTTP request and a write to its narinfo cache per build).
    /// </param>
    public Task<NixBuildResult> BuildAsync(
        string drvPath, int timeoutSeconds, int maxSilentSeconds, Action<string> onLogLine, CancellationToken cancellationToken,
        bool useSubstitutes = true) =>
        GuardAsync(async () =>
        {
            Builds++;
            WriteSetOptions(maxSilentSeconds, timeoutSeconds, useSubstitutes);
            await _input.FlushAsync(cancellationToken);
            if (await ReadMessagesAsync(onLogLine, cancellationToken) is { } optionsError)
            {
                throw new InvalidDataException($"nix-daemon refused the build options: {optionsError}");
            }

            ServeWire.WriteNumber(_input, DaemonProtocol.BuildPathsWithResults);
            // "<drv>!" is every output of the derivation.
            ServeWire.WriteStrings(_input, [drvPath + "!"]);
            ServeWire.WriteNumber(_input, 0); // build mode: normal
            await _input.FlushAsync(cancellationToken);
            if (await ReadMessagesAsync(onLogLine, cancellationToken) is { } error)
            {
                // The request failed as a whole (Nix threw before it had a result per path): the machine's problem.
                WriteError(error, onLogLine);
                return new NixBuildResult(NixBuildStatus.MiscFailure, error);
            }

            var count = await ServeWire.ReadNumberAsync(_output, cancellationToken);
            NixBuildResult? result = null;
            for (var i = 0UL; i < count; i++)
            {
                await ServeWire.ReadStringAsync(_output, cancellationToken); // the path as asked
                var status = (NixBuildStatus)await ServeWire.ReadNumberAsync(_output, cancellationToken);
                var message = StripColours(await ServeWire.ReadStringAsync(_output, cancellationToken));
                for (var field = 0; field < 4; field++)
                {
                    await ServeWire.ReadNumberAsync(_output, cancellationToken); // times built, non-deterministic, start, stop
                }

                var builtOutputs = await ServeWire.ReadNumberAsync(_output, cancellationToken);
                for (var j = 0UL; j < builtOutputs * 2; j++)
                {
                    await ServeWire.ReadStringAsync(_output, cancellationToken); // output id, realisation (JSON)
                }

                result ??= new NixBuildResult(status, message);
            }

            result ??= new NixBuildResult(NixBuildStatus.MiscFailure, $"nix-daemon answered no result for {drvPath}.");
            if (result.ExitCode != 0)
            {
                WriteError(result.ErrorMessage, onLogLine);
            }

            return result;
        }, cancellationToken);

    /// <summary>Which of <paramref name="paths"/> are valid in the store (<c>wopQueryValidPaths</c>, without substituting).</summary>
    public Task<IReadOnlySet<string>> QueryValidPathsAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            ServeWire.WriteNumber(_input, DaemonProtocol.QueryValidPaths);
            ServeWire.WriteStrings(_input, paths);
            ServeWire.WriteNumber(_input, 0); // substitute: no
            await _input.FlushAsync(cancellationToken);
            if (await ReadMessagesAsync(_ => { }, cancellationToken) is { } error)
            {
                throw new InvalidDataException($"nix-daemon refused to check paths: {error}");
            }

            return (IReadOnlySet<string>)(await ServeWire.ReadStringsAsync(_output, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        IsBroken = true;
        await _nix.DisposeAsync();
    }

    private async Task<bool> HandshakeAsync(CancellationToken cancellationToken)
    {
        ServeWire.WriteNumber(_input, DaemonProtocol.ClientMagic);
        await _input.FlushAsync(cancellationToken);
        var magic = await ServeWire.ReadNumberAsync(_output, cancellationToken);
        if (magic != DaemonProtocol.ServerMagic)
        {
            throw new InvalidDataException($"nix-daemon answered the greeting with 0x{magic:x}, not 0x{DaemonProtocol.ServerMagic:x}.");
        }

        var version = await ServeWire.ReadNumberAsync(_output, cancellationToken);
        if (DaemonProtocol.Major(version) != DaemonProtocol.Major(DaemonProtocol.ClientVersion) || DaemonProtocol.Minor(version) < DaemonProtocol.MinServerMinor)
        {
            throw new InvalidDataException($"nix-daemon speaks protocol 0x{version:x}; hydra-builder needs 1.{DaemonProtocol.MinServerMinor} (Nix 2.8) or later.");
        }

        ServeWire.WriteNumber(_input, DaemonProtocol.ClientVersion);
        ServeWire.WriteNumber(_input, 0); // no CPU affinity
        ServeWire.WriteNumber(_input, 0); // "reserve space": obsolete
        await _input.FlushAsync(cancellationToken);
        await ServeWire.ReadStringAsync(_output, cancellationToken); // Nix's version
        if (await ReadMessagesAsync(_ => { }, cancellationToken) is { } error)
        {
            throw new InvalidDataException($"nix-daemon refused the connection: {error}");
        }

        return true;
    }

    private void WriteSetOptions(int maxSilentSeconds, int timeoutSeconds, bool useSubstitutes)
    {
        ServeWire.WriteNumber(_input, DaemonProtocol.SetOptions);
        ServeWire.WriteNumber(_input, 0); // keep failed
        ServeWire.WriteNumber(_input, 0); // keep going
        ServeWire.WriteNumber(_input, 0); // try fallback
        ServeWire.WriteNumber(_input, DaemonProtocol.LevelInfo); // verbosity
        ServeWire.WriteNumber(_input, 1); // max jobs: the farm runs one step per slot
        ServeWire.WriteNumber(_input, (ulong)Math.Max(0, maxSilentSeconds));
        ServeWire.WriteNumber(_input, 1); // "use build hook": obsolete
        ServeWire.WriteNumber(_input, DaemonProtocol.LevelError); // verbose build: pass the builder's output on
        ServeWire.WriteNumber(_input, 0); // log type: obsolete
        ServeWire.WriteNumber(_input, 0); // print build trace: obsolete
        ServeWire.WriteNumber(_input, 0); // build cores: all
        ServeWire.WriteNumber(_input, useSubstitutes ? 1UL : 0UL);
        ServeWire.WriteNumber(_input, 1); // overrides
        ServeWire.WriteString(_input, "timeout");
        ServeWire.WriteString(_input, Math.Max(0, timeoutSeconds).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Reads what the daemon sends while it works, up to the end of that (<c>STDERR_LAST</c>, returning null) or an
    /// error that ends the request (returning Nix's message).
    /// </summary>
    private async Task<string?> ReadMessagesAsync(Action<string> onLogLine, CancellationToken cancellationToken)
    {
        while (true)
        {
            var kind = await ServeWire.ReadNumberAsync(_output, cancellationToken);
            switch (kind)
            {
                case DaemonProtocol.StderrLast:
                    return null;
                case DaemonProtocol.StderrNext:
                    WriteLines(StripColours(await ServeWire.ReadStringAsync(_output, cancellationToken)), onLogLine);
                    break;
                case DaemonProtocol.StderrStartActivity:
                {
                    await ServeWire.ReadNumberAsync(_output, cancellationToken); // activity id
                    var level = await ServeWire.ReadNumberAsync(_output, cancellationToken);
                    await ServeWire.ReadNumberAsync(_output, cancellationToken); // activity type
                    var text = await ServeWire.ReadStringAsync(_output, cancellationToken);
                    await ReadFieldsAsync(cancellationToken);
                    await ServeWire.ReadNumberAsync(_output, cancellationToken); // parent
                    if (level <= DaemonProtocol.LevelInfo && text.Length > 0)
                    {
                        WriteLines(StripColours(text), onLogLine);
                    }

                    break;
                }

                case DaemonProtocol.StderrStopActivity:
                    await ServeWire.ReadNumberAsync(_output, cancellationToken);
                    break;
                case DaemonProtocol.StderrResult:
                {
                    await ServeWire.ReadNumberAsync(_output, cancellationToken); // activity id
                    var type = await ServeWire.ReadNumberAsync(_output, cancellationToken);
                    var fields = await ReadFieldsAsync(cancellationToken);
                    if (type is DaemonProtocol.ResultBuildLogLine or DaemonProtocol.ResultPostBuildLogLine && fields is [string line, ..])
                    {
                        onLogLine(line);
                    }

                    break;
                }

                case DaemonProtocol.StderrError:
                {
                    await ServeWire.ReadStringAsync(_output, cancellationToken); // "Error"
                    await ServeWire.ReadNumberAsync(_output, cancellationToken); // level
                    await ServeWire.ReadStringAsync(_output, cancellationToken); // name
                    var message = StripColours(await ServeWire.ReadStringAsync(_output, cancellationToken));
                    await ServeWire.ReadNumberAsync(_output, cancellationToken); // position: never sent
                    var traces = await ServeWire.ReadNumberAsync(_output, cancellationToken);
                    for (var i = 0UL; i < traces; i++)
                    {
                        await ServeWire.ReadNumberAsync(_output, cancellationToken); // position: never sent
                        await ServeWire.ReadStringAsync(_output, cancellationToken);
                    }

                    return message;
                }

                default:
                    // STDERR_READ and STDERR_WRITE belong to requests we never send.
                    throw new InvalidDataException($"nix-daemon sent message 0x{kind:x}, which hydra-builder does not expect; the framing is out of step.");
            }
        }
    }

    /// <summary>An activity's fields: each a number (type 0) or a string (type 1).</summary>
    private async Task<List<object>> ReadFieldsAsync(CancellationToken cancellationToken)
    {
        var count = await ServeWire.ReadNumberAsync(_output, cancellationToken);
        var fields = new List<object>();
        for (var i = 0UL; i < count; i++)
        {
            fields.Add(await ServeWire.ReadNumberAsync(_output, cancellationToken) switch
            {
                0 => await ServeWire.ReadNumberAsync(_output, cancellationToken),
                1 => await ServeWire.ReadStringAsync(_output, cancellationToken),
                var other => throw new InvalidDataException($"nix-daemon sent a field of type {other}; the framing is out of step."),
            });
        }

        return fields;
    }

    /// <summary>Nix's error, as <c>nix-store --realise</c> ended its output with it.</summary>
    private static void WriteError(string message, Action<string> onLogLine) => WriteLines("error: " + message, onLogLine);

    private static void WriteLines(string text, Action<string> onLogLine)
    {
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            onLogLine(line);
        }
    }

    /// <summary>Nix colours its messages for a terminal; the step log gets the words.</summary>
    private static string StripColours(string text) => AnsiEscape().Replace(text, "");

    [GeneratedRegex(@"\x1b\[[0-9;]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    /// <summary>
    /// Runs a call; when it fails half-way the session is broken. A call cancelled by its token kills Nix (and the
    /// build), so the call ends at once, with <see cref="OperationCanceledException"/>; a Nix that died by itself
    /// ends it with an <see cref="IOException"/> that carries Nix's last words.
    /// </summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(IsBroken, this);
        using var kill = cancellationToken.Register(_nix.Kill);
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            IsBroken = true;
            throw new OperationCanceledException("The build was cancelled; Nix was killed.", e, cancellationToken);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            IsBroken = true;
            await _nix.DrainStandardErrorAsync(LastWordsTimeout);
            throw new IOException($"nix-daemon --stdio ended: {(_nix.LastStandardError is { Length: > 0 } words ? words : e.Message)}", e);
        }
        catch
        {
            IsBroken = true;
            throw;
        }
    }
}
