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
    /// <summary>
    /// How long a start may take before the test gives up: it migrates the database first, and on a loaded
    /// two-core machine the JIT and the migrations of a fresh cluster took more than a minute.
    /// </summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly List<string> _output = [];
    private readonly string[] _settings = [$"--ConnectionStrings:Hydra={connectionString}", $"--Hydra:DataDir={dataDir}", .. settings];
    private Process? _process;
    private bool _started;

    public int Port { get; private set; } = FreePort();
    public string Url => $"http://127.0.0.1:{Port}";
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the server and waits until /health answers.</summary>
    public async Task StartAsync()
    {
        _process = BuilderProcesses.Start(["dotnet", BuilderProcesses.BuiltDll("Hydra.Web", "hydra-server"), "--urls", Url, .. _settings], null, _output);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // and for the rest of its output
                if (!_started && Output().Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    // Another process took the free port between FreePort and the bind. Before the first start nobody
                    // knows the URL yet, so another port will do; a restart must keep its port for the builders.
                    lock (_output)
                    {
                        _output.Clear();
                    }
                    Port = FreePort();
                    await StartAsync();
                    return;
                }
                throw new InvalidOperationException($"hydra-server exited with {_process.ExitCode}:\n{Output()}");
            }
            try
            {
                if ((await client.GetAsync(Url + "/health")).IsSuccessStatusCode)
                {
                    _started = true;
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
            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"hydra-server did not become healthy within {StartTimeout}:\n{Output()}");
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
