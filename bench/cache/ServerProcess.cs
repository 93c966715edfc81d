using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Hydra.Bench.Cache;

/// <summary>A server under test in its own process (hydra-server or nginx): its URL, and its memory with its children's.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(string name, Process process, string url)
    {
        Name = name;
        _process = process;
        Url = url;
    }

    public string Name { get; }

    public string Url { get; }

    /// <summary>hydra-server serving <paramref name="dataDir"/>/cache, the web role only, on its own database.</summary>
    public static Task<ServerProcess> StartHydraAsync(string serverDll, string connectionString, string dataDir)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { serverDll, "serve", "--urls", url })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__Hydra"] = connectionString;
        start.Environment["Hydra__DataDir"] = dataDir;
        start.Environment["Hydra__Roles"] = "web";
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        return StartAsync("hydra-server", start, url);
    }

    /// <summary>nginx (not a daemon, its own prefix and configuration) serving <paramref name="cacheDir"/> as static files under <c>/cache/</c>.</summary>
    public static async Task<ServerProcess> StartNginxAsync(string cacheDir, string prefix)
    {
        var port = FreePort();
        Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        var config = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            user root;
            worker_processes 2;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              sendfile on;
              tcp_nopush on;
              keepalive_requests 1000000;
              client_body_temp_path {{prefix}}/tmp/body;
              proxy_temp_path {{prefix}}/tmp/proxy;
              fastcgi_temp_path {{prefix}}/tmp/fastcgi;
              uwsgi_temp_path {{prefix}}/tmp/uwsgi;
              scgi_temp_path {{prefix}}/tmp/scgi;
              types { text/x-nix-narinfo narinfo; application/x-nix-nar zst xz nar; text/x-nix-cache-info nix-cache-info; }
              server {
                listen 127.0.0.1:{{port}};
                location /cache/ { alias {{cacheDir}}/; }
              }
            }
            """);
        var start = new ProcessStartInfo("nginx") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-p", prefix, "-c", config })
        {
            start.ArgumentList.Add(argument);
        }

        return await StartAsync("nginx", start, $"http://127.0.0.1:{port}");
    }

    /// <summary>Resident memory of the process and its children (nginx's workers), in bytes.</summary>
    public long ResidentBytes() => Tree(_process.Id).Sum(Rss);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static async Task<ServerProcess> StartAsync(string name, ProcessStartInfo start, string url)
    {
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new ServerProcess(name, process, url);
        using var client = new HttpClient();
        for (var attempt = 0; attempt < 600; attempt++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode} before it answered.");
            }

            try
            {
                using var response = await client.GetAsync(url + "/cache/nix-cache-info");
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"{name} did not answer at {url} within a minute.");
    }

    private static IEnumerable<int> Tree(int pid)
    {
        yield return pid;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            var children = Path.Combine(task, "children");
            if (!File.Exists(children))
            {
                continue;
            }

            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var descendant in Tree(int.Parse(child, CultureInfo.InvariantCulture)))
                {
                    yield return descendant;
                }
            }
        }
    }

    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
