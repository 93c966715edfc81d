using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Hydra.Testing;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// hydra-server as a separate process (all roles) on a fixed loopback port, so a test can SIGKILL it
/// and start it again where builders expect it.
/// </summary>
public sealed class ServerProcess(string connectionString, string dataDir, IEnumerable<string> settings) : IAsyncDisposable
{
    private readonly List<string> _output = [];
    private readonly string[] _settings = [$"--ConnectionStrings:Hydra={connectionString}", $"--Hydra:DataDir={dataDir}", .. settings];
    private Process? _process;

    public int Port { get; } = FreePort();
    public string Url => $"http://127.0.0.1:{Port}";
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the server and waits until /health answers.</summary>
    public async Task StartAsync()
    {
        _process = BuilderProcesses.Start(["dotnet", BuilderProcesses.BuiltDll("Hydra.Web", "hydra-server"), "--urls", Url, .. _settings], null, _output);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"hydra-server exited with {_process.ExitCode}:\n{Output()}");
            }
            try
            {
                if ((await client.GetAsync(Url + "/health")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow to answer while starting.
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new TimeoutException($"hydra-server did not become healthy within a minute:\n{Output()}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>SIGKILL: no shutdown, no cleanup, as when the machine dies.</summary>
    public async Task KillAsync()
    {
        var process = _process!;
        Hydra.Core.Processes.ProcessTree.Kill(process);
        await process.WaitForExitAsync();
    }

    /// <summary>Runs a hydra-server command (create-user, create-worker, ...) with the same settings; returns its standard output.</summary>
    public async Task<string> RunAsync(params string[] command)
    {
        // Commands take their configuration from the environment, as in production.
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Hydra"] = connectionString, ["Hydra__DataDir"] = dataDir };
        var (exitCode, output, error) = await TestProcess.RunAsync("dotnet", environment, [BuilderProcesses.BuiltDll("Hydra.Web", "hydra-server"), .. command]);
        return exitCode == 0
            ? output.Trim()
            : throw new InvalidOperationException($"hydra-server {string.Join(' ', command)} failed ({exitCode}):\n{output}\n{error}");
    }

    public string Output()
    {
        lock (_output)
        {
            return string.Join("\n", _output.TakeLast(200));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRunning)
        {
            await KillAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
