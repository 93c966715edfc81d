using System.Net;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Hydra.Testing;
using Hydra.Web.Auth;
using Hydra.Web.Cache;
using Hydra.Web.Channels;
using Hydra.Web.Gc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Tests.Gc;

/// <summary>
/// Garbage collection of a real cache directory filled by <c>nix copy</c> from real builds: what channels, kept builds,
/// recent evaluations and the grace period keep, the dry-run report (HTTP and CLI), and a real run after which the
/// kept closures still substitute.
/// </summary>
public sealed class CacheGcTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hydra-gc-test-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private string CacheDir => Path.Combine(factory.DataDir, "cache");

    [Fact]
    public async Task Gc_keeps_what_channels_kept_builds_recent_evaluations_and_new_uploads_need_and_deletes_the_rest()
    {
        var salt = Guid.NewGuid().ToString("N")[..10];
        var lib = await BuildAsync($"gc-lib-{salt}", $"echo {salt} > $out");
        var app = await BuildAsync($"gc-app-{salt}", $"echo {lib} > $out", lib);
        var channelOld = await BuildAsync($"gc-chan-old-{salt}", "echo old > $out");
        var channelNew = await BuildAsync($"gc-chan-new-{salt}", "echo new > $out");
        var stale = await BuildAsync($"gc-stale-{salt}", "echo stale > $out");
        var fresh = await BuildAsync($"gc-fresh-{salt}", "echo fresh > $out");
        var young = await BuildAsync($"gc-young-{salt}", "echo young > $out");
        _ = factory.Services; // starts the server, which lays out the cache directory
        await CopyToCacheAsync(lib, app, channelOld, channelNew, stale, fresh);
        var orphan = Path.Combine(CacheDir, "nar", "0000000000000000000000000000000000000000000000000000.nar.xz");
        await File.WriteAllTextAsync(orphan, "a NAR whose narinfo is long gone");
        Backdate(TimeSpan.FromHours(2));
        await CopyToCacheAsync(young);

        var project = $"gc{salt}";
        await SeedAsync(project, app, channelOld, channelNew, stale, fresh);
        var admin = await factory.SignedInClientAsync($"admin-{salt}", "pw", HydraRoles.Admin);

        // The dry run: the HTTP report and the CLI agree, and nothing is deleted.
        using var report = JsonDocument.Parse(await admin.GetStringAsync("/api/admin/gc"));
        var listed = report.RootElement.GetProperty("narinfos").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal([stale], listed);
        var nars = report.RootElement.GetProperty("nars").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(new[] { NarFile(stale), Path.GetFileName(orphan) }.Order(StringComparer.Ordinal), nars.Order(StringComparer.Ordinal));
        Assert.Equal(FileSize(NarInfoFile(stale)) + FileSize(Path.Combine(CacheDir, "nar", NarFile(stale))) + FileSize(orphan),
            report.RootElement.GetProperty("bytesfreed").GetInt64());
        Assert.True(report.RootElement.GetProperty("dryrun").GetBoolean());
        Assert.True(File.Exists(NarInfoFile(stale)));
        var cli = await ServerCommand.RunAsync(factory, "gc", "--dry-run");
        Assert.True(cli.ExitCode == 0, cli.Stderr);
        Assert.Contains($"narinfo {stale}", cli.Stdout, StringComparison.Ordinal);
        Assert.Contains("Would delete 1 narinfo(s) and 2 NAR(s)", cli.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(NarInfoFile(stale)));

        // Only the newest channel revision kept: the older revision's evaluation is fair game too.
        Assert.Equal(new[] { channelOld, stale }.Order(StringComparer.Ordinal), (await CollectorWithDepth(1).PlanAsync(CancellationToken.None)).NarInfos);

        var plain = await factory.SignedInClientAsync($"user-{salt}", "pw");
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.GetAsync("/api/admin/gc")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.PostAsync("/api/admin/gc", null)).StatusCode);

        // What the upload endpoint recorded of the collected path goes with it; a kept path's record stays.
        var records = factory.Services.GetRequiredService<NpgsqlDataSource>();
        var staleNar = "nar/" + NarFile(stale);
        await using (var seed = records.CreateCommand("""
            INSERT INTO cache_nar_paths (nar_key, store_path) VALUES (@staleNar, NULL), (@staleNar, @stale), (@appNar, @app);
            INSERT INTO cache_recompressed_nars (uploaded_name, uploaded_file_hash, uploaded_file_size, nar_hash, nar_size, stored_key, stored_file_hash, stored_file_size)
            VALUES (@uploaded, 'sha256:x', 1, 'sha256:y', 1, @staleNar, 'sha256:z', 1)
            """))
        {
            seed.Parameters.AddWithValue("staleNar", staleNar);
            seed.Parameters.AddWithValue("stale", stale);
            seed.Parameters.AddWithValue("appNar", "nar/" + NarFile(app));
            seed.Parameters.AddWithValue("app", app);
            seed.Parameters.AddWithValue("uploaded", $"nar/{salt}.nar");
            await seed.ExecuteNonQueryAsync();
        }

        // The real run deletes exactly what the report listed.
        using var run = JsonDocument.Parse(await (await admin.PostAsync("/api/admin/gc", null)).EnsureSuccessStatusCode().Content.ReadAsStringAsync());
        Assert.False(run.RootElement.GetProperty("dryrun").GetBoolean());
        Assert.False(File.Exists(NarInfoFile(stale)));
        Assert.False(File.Exists(orphan));
        Assert.Equal(nars.Count, run.RootElement.GetProperty("nars").GetArrayLength());
        foreach (var kept in new[] { lib, app, channelOld, channelNew, fresh, young })
        {
            Assert.True(File.Exists(NarInfoFile(kept)), $"{kept} was collected");
            Assert.True(File.Exists(Path.Combine(CacheDir, "nar", NarFile(kept))), $"the NAR of {kept} was collected");
        }

        Assert.Equal(0L, await CountAsync(records, "SELECT count(*) FROM cache_nar_paths WHERE nar_key = @p OR store_path = @q", staleNar, stale));
        Assert.Equal(0L, await CountAsync(records, "SELECT count(*) FROM cache_recompressed_nars WHERE stored_key = @p OR uploaded_name = @q", staleNar, $"nar/{salt}.nar"));
        Assert.Equal(1L, await CountAsync(records, "SELECT count(*) FROM cache_nar_paths WHERE nar_key = @p AND store_path = @q", "nar/" + NarFile(app), app));

        // The kept closure still substitutes; the collected path does not.
        var store = Path.Combine(_scratch, "store");
        var copied = await TestProcess.RunAsync("nix", Nix(), "copy", "--no-check-sigs", "--from", $"file://{CacheDir}", "--to", store, app);
        Assert.True(copied.ExitCode == 0, copied.Error);
        Assert.Equal(lib + "\n", await File.ReadAllTextAsync(store + app));
        var gone = await TestProcess.RunAsync("nix", Nix(), "copy", "--no-check-sigs", "--from", $"file://{CacheDir}", "--to", store, stale);
        Assert.NotEqual(0, gone.ExitCode);
    }

    /// <summary>Evaluations 1 (stale; app, kept), 2 (channel's older revision), 3 (its current one), 4 (fresh, the newest: keep_nr 1).</summary>
    private async Task SeedAsync(string project, string app, string channelOld, string channelNew, string stale, string fresh)
    {
        long oldEval = 0, newEval = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, project, "trunk");
            jobset.KeepNr = 1;
            var first = await Seed.EvalAsync(db, jobset);
            await WithOutputAsync(db, await Seed.BuildAsync(db, jobset, first, "stale", BuildStatus.Succeeded), stale);
            var kept = await Seed.BuildAsync(db, jobset, first, "app", BuildStatus.Succeeded);
            kept.Keep = true;
            await WithOutputAsync(db, kept, app);
            var second = await Seed.EvalAsync(db, jobset);
            oldEval = second.Id;
            await WithOutputAsync(db, await Seed.BuildAsync(db, jobset, second, "chan", BuildStatus.Succeeded), channelOld);
            var third = await Seed.EvalAsync(db, jobset);
            newEval = third.Id;
            await WithOutputAsync(db, await Seed.BuildAsync(db, jobset, third, "chan", BuildStatus.Succeeded), channelNew);
            var latest = await Seed.EvalAsync(db, jobset);
            await WithOutputAsync(db, await Seed.BuildAsync(db, jobset, latest, "fresh", BuildStatus.Succeeded), fresh);
        });
        var store = factory.Services.GetRequiredService<ChannelStore>();
        Assert.True(await store.SaveAsync($"gc-{project}", project, "trunk", null, "", CancellationToken.None));
        var channel = (await store.FindAsync($"gc-{project}", CancellationToken.None))!;
        Assert.Equal(ChannelChange.Done, await store.PromoteAsync(channel, oldEval, "rm", CancellationToken.None));
        Assert.Equal(ChannelChange.Done, await store.PromoteAsync(channel, newEval, "rm", CancellationToken.None));
    }

    private static async Task WithOutputAsync(Hydra.Core.Data.HydraDbContext db, Build build, string path)
    {
        build.Outputs.Single().Path = path;
        await db.SaveChangesAsync();
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string sql, string p, string q)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddWithValue("p", p);
        command.Parameters.AddWithValue("q", q);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private CacheGarbageCollector CollectorWithDepth(int depth)
    {
        var options = Options.Create(new GcOptions { ChannelHistoryDepth = depth });
        return new CacheGarbageCollector(new GcRoots(factory.Services.GetRequiredService<NpgsqlDataSource>(), options),
            factory.Services.GetRequiredService<CacheGcStorage>(), factory.Services.GetRequiredService<CacheNarIndex>(), options, TimeProvider.System, NullLogger<CacheGarbageCollector>.Instance);
    }

    private static async Task<string> BuildAsync(string name, string script, params string[] inputs)
    {
        var expression = $$"""derivation { name = "{{name}}"; builder = "/bin/sh"; args = [ "-c" "{{script}}" ]; system = builtins.currentSystem; PATH = "/bin:/usr/bin"; }""";
        // An input the output mentions becomes a runtime reference, which the narinfo lists.
        var withInputs = expression.Replace("builder =", $"deps = [ {string.Join(' ', inputs.Select(i => $"(builtins.storePath \"{i}\")"))} ]; builder =", StringComparison.Ordinal);
        var built = await TestProcess.RunAsync("nix-build", Nix(), "--no-out-link", "-E", withInputs);
        Assert.True(built.ExitCode == 0, built.Error);
        return built.Output.Trim();
    }

    private async Task CopyToCacheAsync(params string[] paths)
    {
        var copied = await TestProcess.RunAsync("nix", Nix(), ["copy", "--to", $"file://{CacheDir}?compression=xz", .. paths]);
        Assert.True(copied.ExitCode == 0, copied.Error);
    }

    private void Backdate(TimeSpan age)
    {
        var then = DateTime.UtcNow - age;
        foreach (var file in Directory.EnumerateFiles(CacheDir, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(file, then);
        }
    }

    private string NarInfoFile(string path) => Path.Combine(CacheDir, StorePath.Parse(path).HashPart + ".narinfo");

    private string NarFile(string path)
    {
        Assert.True(CacheNames.TryGetNarFileName(NarInfo.Parse(File.ReadAllText(NarInfoFile(path))).Url, out var file));
        return file;
    }

    private static long FileSize(string path) => new FileInfo(path).Length;

    private static Dictionary<string, string> Nix() =>
        new() { ["NIX_REMOTE"] = "local", ["NIX_CONFIG"] = NixTestEnvironment.Config, ["XDG_CACHE_HOME"] = Path.Combine(Path.GetTempPath(), "hydra-gc-test-xdg") };
}
