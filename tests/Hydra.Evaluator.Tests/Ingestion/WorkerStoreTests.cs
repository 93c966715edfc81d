using System.Text.Json.Nodes;
using Hydra.Core.Nix;
using Hydra.Core.Processes;
using Hydra.Evaluator.Nix;
using Hydra.Testing;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>
/// Evaluation in stores of the workers' own (EvalStores): the .drv files land under the data dir, not in
/// the machine's store, and ingestion still plans the graph from them and puts them into the cache.
/// </summary>
public sealed class WorkerStoreTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private static string Expression(string salt) =>
        $$"""
        let
          mk = name: deps: derivation {
            inherit name deps;
            salt = "{{salt}}";
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "echo ${name} > $out" ];
            PATH = "/bin:/usr/bin";
          };
          base = mk "base" [ ];
        in builtins.listToAttrs (builtins.genList (i: { name = "job${toString i}"; value = mk "job${toString i}" [ base ]; }) 6)
        """;

    [Fact]
    public async Task Two_workers_write_their_derivations_into_stores_of_their_own_and_ingestion_reads_them_there()
    {
        NixTestEnvironment.Apply();
        await using var harness = new IngestionHarness(database.ConnectionString);
        var salt = Guid.NewGuid().ToString("N");
        var file = Path.Combine(Directory.CreateTempSubdirectory("hydra-worker-stores-").FullName, "release.nix");
        await File.WriteAllTextAsync(file, Expression(salt));
        var evaluator = new NixEvaluator(new NixProcessRunner(), Options.Create(new EvaluatorOptions { NixEvalJobsPath = "", Workers = 2 }),
            hydraOptions: Options.Create(harness.Hydra));

        await using var stream = evaluator.EvaluateStreaming(file, [], CancellationToken.None);
        var result = await harness.Ingester.IngestAsync(await harness.CreateJobsetAsync(), stream,
            _ => new("hash", "src", "release.nix", [], 0, 0, DateTimeOffset.UtcNow), progress: null, CancellationToken.None);

        Assert.Equal((6, 7), (result.NewBuilds, result.NewSteps));
        var drvPaths = (await harness.RowsAsync("SELECT drv_path FROM steps")).Select(r => (string)r[0]).ToList();
        Assert.Equal(7, drvPaths.Count);
        foreach (var drvPath in drvPaths)
        {
            Assert.False(File.Exists(drvPath), $"{drvPath} should not be in the machine's store");
            var root = EvalStores.RootOf(harness.Hydra.DataDir, drvPath);
            Assert.NotNull(root);
            Assert.StartsWith(EvalStores.Directory(harness.Hydra.DataDir), root, StringComparison.Ordinal);
            Assert.True(await harness.Pusher.CacheHasAsync(drvPath, default), $"{drvPath} should be in the binary cache");
        }
        // Both workers evaluated: each store holds the shared base and its own jobs.
        foreach (var worker in new[] { 0, 1 })
        {
            var store = Path.Combine(EvalStores.Root(harness.Hydra.DataDir, worker), "nix", "store");
            Assert.Contains(Directory.EnumerateFiles(store, "*-base.drv"), path => File.ReadAllText(path).Contains(salt, StringComparison.Ordinal));
            Assert.Equal(3, Directory.EnumerateFiles(store, "*-job*.drv").Count(path => File.ReadAllText(path).Contains(salt, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Inputs_holding_paths_of_the_machines_store_are_evaluated_in_the_machines_store()
    {
        NixTestEnvironment.Apply();
        var dataDir = Directory.CreateTempSubdirectory("hydra-worker-stores-").FullName;
        var salt = Guid.NewGuid().ToString("N");
        // A real path of the machine's store, handed in as another job's output (an `eval` input).
        var dependency = (await TestProcess.RunCheckedAsync("nix-store", "--add", Write(dataDir, "dep.txt", salt))).Trim();
        var file = Write(dataDir, "release.nix",
            $$"""
            { deps }:
            { job = derivation { name = "job"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "cat ${deps.dep} > $out" ]; }; }
            """);
        var evaluator = new NixEvaluator(new NixProcessRunner(), Options.Create(new EvaluatorOptions { NixEvalJobsPath = "", Workers = 2 }),
            hydraOptions: Options.Create(new Hydra.Core.HydraOptions { DataDir = dataDir }));

        var evaluation = await evaluator.EvaluateAsync(file,
            new JsonObject { ["deps"] = new JsonObject { ["kind"] = "attrs", ["value"] = new JsonObject { ["dep"] = dependency } } }, CancellationToken.None);

        var job = Assert.Single(evaluation.Jobs);
        Assert.Empty(evaluation.Errors);
        Assert.True(File.Exists(job.DrvPath), "with store paths as inputs the machine's store is used");
        Assert.Null(EvalStores.RootOf(dataDir, job.DrvPath));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_store_grown_past_its_limit_is_deleted_when_no_evaluation_uses_it()
    {
        var dataDir = Directory.CreateTempSubdirectory("hydra-worker-stores-").FullName;
        var root = EvalStores.Root(dataDir, 0);
        var database = Path.Combine(root, "nix", "var", "nix", "db", "db.sqlite");
        Directory.CreateDirectory(Path.GetDirectoryName(database)!);
        File.WriteAllBytes(database, new byte[2 * 1024 * 1024]);
        // Nix leaves store directories read-only.
        var readOnly = Directory.CreateDirectory(Path.Combine(root, "nix", "store", "abc-source"));
        File.WriteAllText(Path.Combine(readOnly.FullName, "file"), "x");
        File.SetUnixFileMode(readOnly.FullName, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        using (EvalStores.Use(dataDir, 0, maxMiB: 1))
        {
            Assert.False(File.Exists(database), "the oversized store should be gone");
            Assert.True(Directory.Exists(root), "and its root made again for the evaluation");
            File.WriteAllBytes(Directory.CreateDirectory(Path.GetDirectoryName(database)!).FullName + "/db.sqlite", new byte[2 * 1024 * 1024]);
            using (EvalStores.Use(dataDir, 0, maxMiB: 1))
            {
                Assert.True(File.Exists(database), "a store in use is never deleted");
            }
        }
        Assert.Empty(Directory.EnumerateDirectories(EvalStores.Directory(dataDir), "*.deleting-*"));
    }

    private static string Write(string directory, string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
