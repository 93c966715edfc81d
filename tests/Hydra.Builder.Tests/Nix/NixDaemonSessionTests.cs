using Hydra.Builder.Nix;
using Hydra.Builder.Nix.Daemon;
using Hydra.Builder.Tests.Fakes;

namespace Hydra.Builder.Tests.Nix;

/// <summary>Builds through the worker protocol against the real <c>nix-daemon --stdio</c> of this machine.</summary>
public sealed class NixDaemonSessionTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hydra-daemon-test-");
    private readonly NixDaemonSettings _settings;

    public NixDaemonSessionTests()
    {
        // No substituter: everything these tests build is local.
        _settings = new NixDaemonSettings("", "", DeclineBuildHook.Write(_directory.FullName));
    }

    [Fact]
    public async Task One_session_builds_many_derivations_and_passes_on_their_logs()
    {
        var first = await TestNix.InstantiateAsync("echo first-line; echo second-line >&2; echo one > $out");
        var second = await TestNix.InstantiateAsync("echo two > $out");
        await using var session = await StartAsync();

        foreach (var drv in new[] { first, second })
        {
            var log = new List<string>();
            var result = await session.BuildAsync(drv, 0, 0, log.Add, CancellationToken.None);

            Assert.Equal(NixBuildStatus.Built, result.Status);
            Assert.Equal(0, result.ExitCode);
            Assert.Contains($"building '{drv}'", log);
            Assert.True(File.Exists((await TestNix.OutputPathsAsync(drv)).Single()));
            if (drv == first)
            {
                Assert.Equal(["first-line", "second-line"], log.Where(l => l.EndsWith("-line", StringComparison.Ordinal)));
            }
        }

        // Built already: nothing to do, and still a success.
        Assert.Equal(0, (await session.BuildAsync(first, 0, 0, _ => { }, CancellationToken.None)).ExitCode);
        Assert.Equal(3, session.Builds);
        Assert.False(session.IsBroken);
    }

    [Fact]
    public async Task A_failing_build_ends_with_Nix_s_error_in_the_log_and_leaves_the_session_usable()
    {
        var failing = await TestNix.InstantiateAsync("echo failing on purpose; exit 3");
        var fine = await TestNix.InstantiateAsync("echo fine > $out");
        await using var session = await StartAsync();
        var log = new List<string>();

        var result = await session.BuildAsync(failing, 0, 0, log.Add, CancellationToken.None);

        Assert.Equal(NixBuildStatus.PermanentFailure, result.Status);
        Assert.Equal(100, result.ExitCode);
        Assert.Contains("failing on purpose", log);
        Assert.StartsWith($"error: builder for '{failing}' failed with exit code 3", log.Last(l => l.StartsWith("error:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.DoesNotContain(log, l => l.Contains('\x1b', StringComparison.Ordinal));
        Assert.Equal(0, (await session.BuildAsync(fine, 0, 0, _ => { }, CancellationToken.None)).ExitCode);
    }

    [Fact]
    public async Task Nix_enforces_the_timeout_and_the_result_says_timed_out()
    {
        var slow = await TestNix.InstantiateAsync("echo started; sleep 60");
        await using var session = await StartAsync();
        var log = new List<string>();

        var result = await session.BuildAsync(slow, 1, 0, log.Add, CancellationToken.None);

        Assert.Equal(NixBuildStatus.TimedOut, result.Status);
        Assert.Equal(101, result.ExitCode);
        Assert.Contains(log, l => l.Contains("timed out after 1 seconds", StringComparison.Ordinal));
        Assert.False(session.IsBroken);
    }

    [Fact]
    public async Task A_derivation_that_is_nowhere_is_the_machine_s_failure()
    {
        await using var session = await StartAsync();
        var missing = "/nix/store/" + new string('0', 32) + "-missing.drv";

        var result = await session.BuildAsync(missing, 0, 0, _ => { }, CancellationToken.None);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(missing, result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_kills_the_build_and_breaks_the_session()
    {
        var endless = await TestNix.InstantiateAsync("echo pid=$$; exec sleep 600");
        var session = await StartAsync();
        var pid = 0;
        await using (session)
        {
            using var cancel = new CancellationTokenSource();
            var build = session.BuildAsync(endless, 0, 0, line =>
            {
                if (line.StartsWith("pid=", StringComparison.Ordinal))
                {
                    pid = int.Parse(line["pid=".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    cancel.Cancel();
                }
            }, cancel.Token);

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => build);
            Assert.True(session.IsBroken);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => session.BuildAsync(endless, 0, 0, _ => { }, CancellationToken.None));
        }

        Assert.NotEqual(0, pid);
        Assert.True(await GoneAsync(pid), $"the build (pid {pid}) must be gone");
    }

    [Fact]
    public async Task Local_inputs_are_all_valid_only_once_the_input_derivation_s_output_is_built()
    {
        var tag = Guid.NewGuid().ToString("N")[..12];
        var expression =
            $"let dep = derivation {{ name = \"t-dep-{tag}\"; system = builtins.currentSystem; builder = \"/bin/sh\"; args = [\"-c\" \"echo dep > $out\"]; }}; " +
            $"in derivation {{ name = \"t-top-{tag}\"; system = builtins.currentSystem; builder = \"/bin/sh\"; args = [\"-c\" \"read line < ${{dep}}; echo $line > $out\"]; }}";
        var top = (await TestNix.RunAsync("nix-instantiate", ["--expr", expression])).Single();
        await using var session = await StartAsync();

        var (derivation, allValid) = await LocalInputs.CheckAsync(top, session, CancellationToken.None);
        Assert.NotNull(derivation);
        Assert.False(allValid);
        var dep = Assert.Single(derivation.InputDrvs).Key;
        var depOutput = (await TestNix.OutputPathsAsync(dep)).Single();
        Assert.Equal(new[] { top, dep }.Order(), (await session.QueryValidPathsAsync([top, dep, depOutput], CancellationToken.None)).Order());

        await TestNix.RealiseAsync(dep);
        Assert.True((await LocalInputs.CheckAsync(top, session, CancellationToken.None)).AllValid);
        var log = new List<string>();
        Assert.Equal(0, (await session.BuildAsync(top, 0, 0, log.Add, CancellationToken.None, useSubstitutes: false)).ExitCode);
        Assert.Equal("dep\n", await File.ReadAllTextAsync((await TestNix.OutputPathsAsync(top)).Single()));

        var missing = "/nix/store/" + new string('0', 32) + "-missing.drv";
        Assert.Equal((null, false), await LocalInputs.CheckAsync(missing, session, CancellationToken.None));
    }

    /// <summary>
    /// Whether the process ends. SIGKILL is delivered when the process is next scheduled, which on a loaded machine
    /// can be a while after <c>kill</c> returned; the deadline only ends a wait for a process that really survived.
    /// </summary>
    private static async Task<bool> GoneAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>Running, and not a zombie waiting for its parent.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat[(stat.LastIndexOf(')') + 1)..].TrimStart().StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private Task<NixDaemonSession> StartAsync() =>
        NixDaemonSession.StartAsync(_settings, Directory.CreateDirectory(Path.Combine(_directory.FullName, "cache")).FullName, _ => { }, CancellationToken.None);
}
