using Hydra.Core.Processes;

namespace Hydra.Core.Tests.Processes;

public sealed class ProcessTreeTests
{
    /// <summary>Command lines of the processes whose command line holds <paramref name="text"/> (zombies have none).</summary>
    private static List<int> Running(string text) => Directory.EnumerateDirectories("/proc")
        .Where(d => int.TryParse(Path.GetFileName(d), out var pid) && pid != Environment.ProcessId)
        .Where(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ').Contains(text, StringComparison.Ordinal);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        })
        .Select(d => int.Parse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture))
        .ToList();

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token).ContinueWith(t => t.IsCanceled ? throw new TimeoutException(what) : t, TaskScheduler.Default);
        }
    }

    [Fact]
    public async Task Cancelling_kills_a_build_that_its_session_leader_left_behind_when_it_died_with_its_parent()
    {
        // As Nix starts a builder: a session of its own, killed by the kernel when its parent dies; the
        // grandchild (the build itself) must die too, although its parent is gone before anyone walks the tree.
        var marker = $"999.{Random.Shared.Next(100_000, 999_999)}";
        using var cancel = new CancellationTokenSource();
        var run = new NixProcessRunner().RunAsync(
            new NixProcessRequest("/bin/sh", ["-c", $"setsid setpriv --pdeathsig KILL sh -c 'sleep {marker}; true' & wait"], new Dictionary<string, string>()),
            _ => { },
            cancel.Token);
        await WaitUntilAsync(() => Running($"sleep {marker}").Count > 0, "the build never started");

        await cancel.CancelAsync();

        // A survivor keeps the output pipes open, so the run would never end: give up on it rather than hang.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TimeSpan.FromMinutes(2)));
        await WaitUntilAsync(() => Running($"sleep {marker}").Count == 0, "the build outlived the cancelled process");
    }
}
