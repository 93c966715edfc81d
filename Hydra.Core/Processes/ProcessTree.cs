using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Hydra.Core.Processes;

/// <summary>
/// Kills a process with everything it started. <see cref="Process.Kill(bool)"/> alone can leave a build
/// running: Nix starts the builder in a session of its own with "die with parent" set, so when
/// <c>nix-store</c> dies the kernel kills the builder shell at once, and the tree walk finds it gone and
/// never reaches the shell's children (the actual build), which live on under init.
/// </summary>
/// <remarks>
/// On Linux the tree is read from <c>/proc</c> before anything is killed, and every process in it, plus every
/// process sharing a process group with one of them (a builder's session keeps its group), gets SIGKILL by pid,
/// whoever its parent is by then. Then /proc is read again for processes forked meanwhile in the groups of those
/// killed. Our own process group is never a target.
/// </remarks>
public static class ProcessTree
{
    public static void Kill(Process root)
    {
        if (!OperatingSystem.IsLinux())
        {
            KillQuietly(root, entireProcessTree: true);
            return;
        }
        var processes = Snapshot();
        var descendants = DescendantsIn(processes, root.Id);
        var ownGroup = processes.TryGetValue(Environment.ProcessId, out var self) ? self.Group : -1;
        var groups = descendants.Where(processes.ContainsKey).Select(pid => processes[pid].Group).Where(g => g != ownGroup).ToHashSet();
        var targets = descendants.Concat(processes.Where(p => groups.Contains(p.Value.Group)).Select(p => p.Key)).ToHashSet();
        KillQuietly(root, entireProcessTree: false);
        KillAll(targets.Where(pid => pid != root.Id));
        // A process may have forked between the snapshot and its death, or become a session leader (as Nix's builders
        // do) after it: its children then sit in a group named after a process just killed, reparented to init once
        // their parent is gone. Look again until nothing of the killed processes' groups is left.
        for (var pass = 0; pass < 3; pass++)
        {
            groups.UnionWith(targets);
            var late = Snapshot().Where(p => groups.Contains(p.Value.Group) && !targets.Contains(p.Key)).Select(p => p.Key).ToList();
            if (late.Count == 0)
            {
                return;
            }
            targets.UnionWith(late);
            KillAll(late);
        }
    }

    private static void KillAll(IEnumerable<int> pids)
    {
        foreach (var pid in pids.Where(pid => pid != Environment.ProcessId))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                KillQuietly(process, entireProcessTree: false);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The process <paramref name="root"/> and every process below it, as <c>/proc</c> shows them now (Linux).</summary>
    public static List<int> Descendants(int root) => DescendantsIn(Snapshot(), root);

    private static List<int> DescendantsIn(Dictionary<int, (int Parent, int Group)> processes, int root)
    {
        var descendants = new List<int> { root };
        for (var i = 0; i < descendants.Count; i++)
        {
            descendants.AddRange(processes.Where(p => p.Value.Parent == descendants[i]).Select(p => p.Key));
        }
        return descendants;
    }

    private static void KillQuietly(Process process, bool entireProcessTree)
    {
        try
        {
            process.Kill(entireProcessTree);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // Exited meanwhile, or not ours to kill.
        }
    }

    /// <summary>Every process's parent and process group, from <c>/proc/[pid]/stat</c>.</summary>
    private static Dictionary<int, (int Parent, int Group)> Snapshot()
    {
        var processes = new Dictionary<int, (int, int)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                processes[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // Exited while we looked.
            }
        }
        return processes;
    }
}
