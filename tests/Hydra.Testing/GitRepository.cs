using System.Diagnostics;

namespace Hydra.Testing;

/// <summary>A real git repository in a temporary directory, for jobset inputs.</summary>
public sealed class GitRepository : IDisposable
{
    public GitRepository()
    {
        Path = Directory.CreateTempSubdirectory("hydra-repo-").FullName;
        Run("init", "--quiet", "--initial-branch=main");
    }

    public string Path { get; }

    public string Url => $"file://{Path}";

    /// <summary>Writes the files and commits them; returns the new revision.</summary>
    public string Commit(string message, params (string Name, string Content)[] files)
    {
        foreach (var (name, content) in files)
        {
            var file = System.IO.Path.Combine(Path, name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
        }
        Run("add", "--all");
        Run("-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "--quiet", "--allow-empty", "-m", message);
        return Run("rev-parse", "HEAD").Trim();
    }

    public string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {errors}");
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
