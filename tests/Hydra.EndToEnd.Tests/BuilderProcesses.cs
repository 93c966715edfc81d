using System.Diagnostics;
using Hydra.Testing;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// Real hydra-builder processes for a test farm: started on demand, their output collected, killed at the end.
/// </summary>
public sealed class BuilderProcesses(string dataDir)
{
    private readonly List<Process> _running = [];
    private readonly List<string> _output = [];

    /// <summary>
    /// Starts hydra-builder against <paramref name="serverUrl"/> with <paramref name="token"/>. With
    /// <paramref name="ownStore"/> it runs in its own mount namespace with an empty tmpfs over <c>/nix</c>:
    /// a machine of its own, whose store starts empty and can only receive paths through the farm's
    /// binary cache. <paramref name="systems"/> (comma-separated) and <paramref name="extraNixConfig"/> go to the builder as is;
    /// <paramref name="environment"/> adds or replaces variables of its environment (PATH, say).
    /// </summary>
    public async Task<Process> StartAsync(string serverUrl, string name, string token, int maxJobs = 2, bool ownStore = false,
        string? systems = null, string? extraNixConfig = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var workDir = Path.Combine(dataDir, "builders", name);
        Directory.CreateDirectory(workDir);
        var tokenFile = Path.Combine(workDir, "token");
        await File.WriteAllTextAsync(tokenFile, token);
        List<string> command = ["dotnet", BuiltDll("Hydra.Builder", "hydra-builder"), "--server", serverUrl, "--token-file", tokenFile,
            "--name", name, "--max-jobs", maxJobs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--work-dir", workDir];
        if (systems is not null)
        {
            command.AddRange(["--systems", systems]);
        }
        if (ownStore)
        {
            // unshare and sh exec into the builder, so killing the process tree stops it and frees the tmpfs.
            command = ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", "mount -t tmpfs hydra-builder-store /nix && exec \"$@\"", "sh", .. command];
        }
        // Nix picks build users (nixbld1, ...) through lock files in its own /nix/var, and kills every process
        // of the user it picked before building; stores of their own would hand out the same users, so
        // builders on them would kill each other's builds. Like separate machines, they build as themselves.
        var nixConfig = new List<string>();
        if (ownStore)
        {
            nixConfig.Add("build-users-group =");
        }
        if (extraNixConfig is not null)
        {
            nixConfig.Add(extraNixConfig);
        }
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>());
        if (nixConfig.Count > 0)
        {
            variables["NIX_CONFIG"] = string.Join('\n', [NixTestEnvironment.Config, .. nixConfig]);
        }
        var process = Start(command, variables, _output);
        lock (_running)
        {
            _running.Add(process);
        }
        return process;
    }

    /// <summary>A builder that exited although nobody stopped it, if any.</summary>
    public Process? Exited()
    {
        lock (_running)
        {
            return _running.FirstOrDefault(b => b.HasExited);
        }
    }

    /// <summary>SIGKILLs a builder and its Nix processes, as a crash would; it no longer counts as running.</summary>
    public async Task KillAsync(Process builder)
    {
        lock (_running)
        {
            _running.Remove(builder);
        }
        Hydra.Core.Processes.ProcessTree.Kill(builder); // its Nix builds too, not only the processes still parented to it
        await builder.WaitForExitAsync();
    }

    /// <summary>Kills every builder and forgets their output.</summary>
    public async Task StopAllAsync()
    {
        List<Process> all;
        lock (_running)
        {
            all = [.. _running];
        }
        foreach (var builder in all)
        {
            await KillAsync(builder);
        }
        lock (_output)
        {
            _output.Clear();
        }
    }

    public bool OutputContains(string text)
    {
        lock (_output)
        {
            return _output.Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    public string OutputText()
    {
        lock (_output)
        {
            return string.Join("\n", _output);
        }
    }

    /// <summary>The built entry assembly of a project next to this one, same configuration.</summary>
    public static string BuiltDll(string project, string assembly)
    {
        // tests/Hydra.EndToEnd.Tests/bin/<Configuration>/net10.0/ -> <project>/bin/<Configuration>/net10.0/
        var testBin = AppContext.BaseDirectory.TrimEnd('/');
        var configuration = Path.GetFileName(Path.GetDirectoryName(testBin))!;
        var dll = Path.GetFullPath(Path.Combine(testBin, "../../../../..", project, "bin", configuration, "net10.0", assembly + ".dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{assembly} is not built at {dll}.");
    }

    /// <summary>Starts <paramref name="command"/>, collecting its output lines into <paramref name="output"/>.</summary>
    public static Process Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment, List<string> output)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;

        void Add(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.Add(line);
                }
            }
        }
    }
}
