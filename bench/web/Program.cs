// Page latency on a seeded farm (issue 5's figures). Creates a database of its own on HYDRA_BENCH_DATABASE,
// seeds it (FarmSeeder: at scale 1, 1,000,000 builds, 5,000,000 steps, 20,000 evaluations, one of 100,000
// builds, 300,000 unfinished steps), starts the real hydra-server (web role) in this process on Kestrel, and
// has CLIENTS concurrent clients fetch each kind of page REQUESTS times as a browser would (Accept: text/html).
// Prints p50/p99 per kind against its target, beside GET /health under the same load as the baseline.
//
// Usage: dotnet run -c Release --project bench/web -- [scale=1] [clients=16] [requests=400]
using System.Diagnostics;
using System.Globalization;
using Hydra.Bench;
using Hydra.Bench.Protocol;

var scale = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 1.0;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var requests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 400;

Console.WriteLine($"web benchmark: scale {scale}, {clients} clients, {requests} requests per page kind; {Environment.ProcessorCount} cores; load {Load.Now()}");
await using var database = await BenchDatabase.CreateAsync(maxPoolSize: 64);
var seeder = new FarmSeeder(database.DataSource, scale, Console.WriteLine);
var seedWatch = Stopwatch.StartNew();
await seeder.SeedAsync(CancellationToken.None);
Console.WriteLine($"seeded {seeder.Builds:N0} builds, {seeder.Builds * FarmSeeder.StepsPerBuild:N0} steps, {seeder.CreatedEvaluations:N0} evaluations " +
    $"(one of {seeder.BigEvalBuilds:N0} builds), {seeder.UnfinishedBuilds * FarmSeeder.StepsPerBuild:N0} unfinished steps in {seedWatch.Elapsed.TotalSeconds:F0} s");

var dataDir = Path.Combine(Path.GetTempPath(), $"hydra-bench-web-{Guid.NewGuid():N}");
Directory.CreateDirectory(dataDir);
await using var server = await BenchServer.StartAsync(
    database.DataSource.ConnectionString, dataDir, new Dictionary<string, string?> { ["Hydra:Roles"] = "web" });
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = new Uri(server.Url) };
http.DefaultRequestHeaders.Accept.ParseAdd("text/html");
http.Timeout = TimeSpan.FromSeconds(60);

var random = new Random(42);
var smallEvals = seeder.CreatedEvaluations - 1;
string Build() => $"/build/{random.NextInt64(1, seeder.Builds + 1)}";
string Jobset()
{
    if (random.Next(10) == 0)
    {
        return "/jobset/nixpkgs/trunk";
    }
    // Jobset jsN belongs to project proj(1 + (N - 1) / 5), as FarmSeeder makes them.
    var n = 1 + random.Next(FarmSeeder.SmallJobsets);
    return $"/jobset/proj{1 + (n - 1) / 5:D2}/js{n:D3}";
}
string Eval() => random.Next(10) == 0 ? "/eval/1" : $"/eval/{2 + random.NextInt64(smallEvals)}";
string Queue() => random.Next(3) switch
{
    0 => "/queue",
    1 => $"/queue?after={seeder.Builds - seeder.UnfinishedBuilds + random.NextInt64(seeder.UnfinishedBuilds)}",
    _ => "/queue?system=aarch64-linux",
};
string Search() => random.Next(4) switch
{
    0 => $"/search?query=job{random.Next(FarmSeeder.JobsPerJobset)}",
    1 => $"/search?query=package{random.Next(1000)}",
    2 => $"/search?query=js{random.Next(100):D3}",
    _ => "/search?query=proj1",
};

var kinds = new (string Name, Func<string> Url, double TargetMs)[]
{
    ("health (baseline)", () => "/health", double.NaN),
    ("build page", Build, 100),
    ("jobset page", Jobset, 300),
    ("evaluation page", Eval, 500),
    ("queue page", Queue, 200),
    ("search", Search, 1000),
};

// Warm-up: JIT, connection pools, PostgreSQL's caches.
foreach (var kind in kinds)
{
    for (var i = 0; i < 5; i++)
    {
        await FetchAsync(kind.Url());
    }
}

Console.WriteLine($"{"page",-18} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"target",8}  result");
foreach (var kind in kinds)
{
    var urls = new string[requests];
    lock (random)
    {
        for (var i = 0; i < requests; i++)
        {
            urls[i] = kind.Url();
        }
    }
    var latencies = new double[requests];
    var next = -1;
    var failures = 0;
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < requests)
        {
            var watch = Stopwatch.StartNew();
            if (!await FetchAsync(urls[i]))
            {
                Interlocked.Increment(ref failures);
            }
            latencies[i] = watch.Elapsed.TotalMilliseconds;
        }
    }));
    Array.Sort(latencies);
    var p50 = latencies[requests / 2];
    var p99 = latencies[Math.Min(requests - 1, (int)Math.Ceiling(requests * 0.99) - 1)];
    var verdict = double.IsNaN(kind.TargetMs) ? "" : p99 <= kind.TargetMs ? "met" : "MISSED";
    Console.WriteLine($"{kind.Name,-18} {p50,8:F1} {p99,8:F1} {latencies[^1],8:F1} {(double.IsNaN(kind.TargetMs) ? "" : kind.TargetMs.ToString(CultureInfo.InvariantCulture)),8}  {verdict}{(failures > 0 ? $" ({failures} failed requests)" : "")}");
}
Console.WriteLine($"load after: {Load.Now()}");
Directory.Delete(dataDir, recursive: true);

async Task<bool> FetchAsync(string url)
{
    using var response = await http.GetAsync(url);
    await response.Content.ReadAsByteArrayAsync();
    if (!response.IsSuccessStatusCode)
    {
        Console.Error.WriteLine($"{url}: {(int)response.StatusCode}");
    }
    return response.IsSuccessStatusCode;
}
