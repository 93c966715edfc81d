using System.Globalization;
using Hydra.Bench;
using Hydra.Bench.Protocol;
using Npgsql;

// Worker-protocol benchmarks (B2 mode b and B3 in perf-reliability.md) against the real hydra-server on
// Kestrel loopback, in-process HttpClients as workers:
//   1. claims per second: 32 workers claim and report success as fast as they can (outputs faked into the
//      cache dir, so the server's success check passes), against the same clients doing two plain
//      requests (GET /health: one SELECT 1) per step in the same run; no step may be claimed twice.
//   2. enqueue to pickup: idle long-polling workers; a step becomes runnable (inserted with its NOTIFY, as
//      ingestion does) and the time until a worker's claim returns it; with NOTIFY, then with
//      Hydra:Queue:UseNotify=false (polling every ClaimPollInterval), against a bare LISTEN/NOTIFY round trip.
var steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
var samples = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;

var work = Directory.CreateTempSubdirectory("hydra-bench-protocol-").FullName;
await using var database = await BenchDatabase.CreateAsync(maxPoolSize: 8);
// The server gets a pool of its own, as in production (the benchmark's own pool is small).
var connectionString = new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString) { MaxPoolSize = 100 }.ConnectionString;
try
{
    Console.WriteLine($"worker protocol: {workers} workers over HTTP/1.1 loopback; {Load.Now()}");
    await using (var server = await BenchServer.StartAsync(connectionString, Path.Combine(work, "notify"), new Dictionary<string, string?>()))
    {
        var throughput = new ClaimThroughput(server, database.DataSource);
        var tokens = await server.WorkerTokensAsync("http", workers);
        // Warm up (JIT, connection pools, prepared statements); not reported.
        await throughput.RunAsync(0, tokens, Math.Min(steps, 1_000), report: false);
        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            ratios.Add(await throughput.RunAsync(round, tokens, steps));
        }
        ratios.Sort();
        Console.WriteLine($"claims over HTTP: median ratio to the plain-request baseline {ratios[ratios.Count / 2]:F2} over {rounds} rounds");

        var pickup = new PickupLatency(server, database.DataSource);
        await pickup.RunAsync("NOTIFY", await server.WorkerTokensAsync("idle", 8), samples, "target p99 <= 250 ms");
        await pickup.BaselineAsync(samples);
    }
    await using (var server = await BenchServer.StartAsync(connectionString, Path.Combine(work, "poll"),
        new Dictionary<string, string?> { ["Hydra:Queue:UseNotify"] = "false" }))
    {
        var pickup = new PickupLatency(server, database.DataSource);
        await pickup.RunAsync("no NOTIFY (polling every 2 s)", await server.WorkerTokensAsync("poller", 8), Math.Max(20, samples / 2), "target p99 <= 5 s");
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}
