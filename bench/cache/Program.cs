// The binary cache against nginx serving the same directory as static files (issue 7's figures), side by side in
// one run: narinfo lookups on 1 and 64 keep-alive connections, 404s, NAR download throughput on 1 and 16
// connections, and memory per in-flight (stalled) download. Load comes from wrk; each figure is measured for both
// servers back to back, so they share the machine's load.
//
// Usage: dotnet run -c Release --project bench/cache -- [PATHS] [SECONDS] [BIG-NAR-MIB] [STALLED]   (defaults 2000 8 64 32)
// Needs wrk and nginx on PATH (bench/cache.sh installs them), HYDRA_BENCH_DATABASE, and HYDRA_SERVER_DLL (a Release hydra-server.dll).
using System.Globalization;
using Hydra.Bench;
using Hydra.Bench.Cache;

var paths = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var bigNarMiB = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
var stalled = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 32;
var serverDll = Environment.GetEnvironmentVariable("HYDRA_SERVER_DLL")
    ?? throw new InvalidOperationException("Set HYDRA_SERVER_DLL to a Release build of hydra-server.dll.");

var scratch = Directory.CreateTempSubdirectory("hydra-bench-cache-").FullName;
try
{
    var dataDir = Path.Combine(scratch, "hydra");
    var cacheDir = Path.Combine(dataDir, "cache");
    Console.WriteLine($"seeding {paths} narinfos and a {bigNarMiB} MiB NAR");
    var seeded = await CacheSeeder.SeedAsync(cacheDir, paths, bigNarMiB);
    var hits = Path.Combine(scratch, "hits.txt");
    var misses = Path.Combine(scratch, "misses.txt");
    var big = Path.Combine(scratch, "big.txt");
    await File.WriteAllLinesAsync(hits, seeded.NarInfoUrls);
    await File.WriteAllLinesAsync(misses, seeded.MissUrls);
    await File.WriteAllLinesAsync(big, [seeded.BigNarUrl]);

    await using var database = await BenchDatabase.CreateAsync(maxPoolSize: 4);
    await using var hydra = await ServerProcess.StartHydraAsync(serverDll, database.DataSource.ConnectionString, dataDir);
    await using var nginx = await ServerProcess.StartNginxAsync(cacheDir, Path.Combine(scratch, "nginx"));
    ServerProcess[] servers = [hydra, nginx];

    Console.WriteLine($"uptime: {File.ReadAllText("/proc/loadavg").Trim()} (1, 5, 15 min load; {Environment.ProcessorCount} cores)");
    foreach (var server in servers)
    {
        await Wrk.RunAsync(server.Url, hits, 16, 3, scratch); // warm-up: JIT, page cache
    }

    var rows = new List<string[]>();
    async Task<Wrk.Result[]> MeasureAsync(string file, int connections)
    {
        var results = new Wrk.Result[servers.Length];
        for (var i = 0; i < servers.Length; i++)
        {
            results[i] = await Wrk.RunAsync(servers[i].Url, file, connections, seconds, scratch);
        }

        return results;
    }

    void Row(string figure, double hydraValue, double nginxValue, string unit, string target, bool met) =>
        rows.Add([figure, Format(hydraValue) + unit, Format(nginxValue) + unit, (hydraValue / nginxValue).ToString("F2", CultureInfo.InvariantCulture), target, met ? "met" : "MISSED"]);

    var load = Load.Now();
    var one = await MeasureAsync(hits, 1);
    Row("narinfo, 1 connection", one[0].RequestsPerSecond, one[1].RequestsPerSecond, "/s", ">= 0.5x nginx and >= 2,500/s",
        one[0].RequestsPerSecond >= 0.5 * one[1].RequestsPerSecond && one[0].RequestsPerSecond >= 2500);
    var many = await MeasureAsync(hits, 64);
    Row("narinfo, 64 connections", many[0].RequestsPerSecond, many[1].RequestsPerSecond, "/s", ">= 20,000/s", many[0].RequestsPerSecond >= 20_000);
    var miss = await MeasureAsync(misses, 1);
    Row("404 p99, 1 connection", miss[0].P99Milliseconds, miss[1].P99Milliseconds, " ms", "<= 2 ms", miss[0].P99Milliseconds <= 2);
    var miss64 = await MeasureAsync(misses, 64);
    Row("404 rate, 64 connections", miss64[0].RequestsPerSecond, miss64[1].RequestsPerSecond, "/s", "-", true);
    var nar1 = await MeasureAsync(big, 1);
    Row("NAR download, 1 connection", MiBps(nar1[0]), MiBps(nar1[1]), " MiB/s", ">= 0.5x nginx", HalfOf(MiBps(nar1[0]), MiBps(nar1[1])));
    var nar16 = await MeasureAsync(big, 16);
    Row("NAR download, 16 connections", MiBps(nar16[0]), MiBps(nar16[1]), " MiB/s", ">= 0.5x nginx", HalfOf(MiBps(nar16[0]), MiBps(nar16[1])));

    var perDownload = new double[servers.Length];
    for (var i = 0; i < servers.Length; i++)
    {
        var before = servers[i].ResidentBytes();
        var clients = await StalledDownloads.OpenAsync(new Uri(servers[i].Url), seeded.BigNarUrl, stalled);
        await Task.Delay(TimeSpan.FromSeconds(2));
        perDownload[i] = (servers[i].ResidentBytes() - before) / (double)stalled / 1024;
        clients.ForEach(c => c.Dispose());
    }

    Row($"memory per stalled download ({stalled} open)", perDownload[0], perDownload[1], " KiB",
        $"streams (well under the {bigNarMiB} MiB NAR)", perDownload[0] < (bigNarMiB << 10) / 8.0);

    var errors = one.Concat(many).Concat(nar1).Concat(nar16).Sum(r => r.Errors + r.Non2xx) + miss.Concat(miss64).Sum(r => r.Errors);
    Console.WriteLine();
    Console.WriteLine($"{load.Until()}; wrk errors or unexpected statuses: {errors}");
    Print(["figure", "hydra", "nginx", "ratio", "target", ""], rows);
}
finally
{
    Directory.Delete(scratch, recursive: true);
}

double MiBps(Wrk.Result result) => result.RequestsPerSecond * bigNarMiB;

// No completed download in the run (an overloaded machine) is no figure, not a pass.
static bool HalfOf(double hydra, double nginx) => hydra > 0 && nginx > 0 && hydra >= 0.5 * nginx;

static string Format(double value) => value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("F2", CultureInfo.InvariantCulture);

static void Print(string[] header, List<string[]> rows)
{
    var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
    Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))));
    foreach (var row in rows)
    {
        Console.WriteLine(string.Join("  ", row.Select((c, i) => i is 1 or 2 or 3 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))));
    }
}
