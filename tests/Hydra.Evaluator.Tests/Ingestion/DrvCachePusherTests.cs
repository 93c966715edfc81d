using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Processes;
using Hydra.Core.Storage;
using Hydra.Evaluator.Ingestion;
using Hydra.Evaluator.Nix;
using Hydra.Testing;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>The .drv NARs and narinfos DrvCachePusher writes itself must be ones real Nix accepts.</summary>
public sealed class DrvCachePusherTests : IDisposable
{
    private readonly HydraOptions _hydra = new() { DataDir = Directory.CreateTempSubdirectory("hydra-drvpush-").FullName };
    private readonly DrvCachePusher _pusher;

    public DrvCachePusherTests()
    {
        NixTestEnvironment.Apply();
        _pusher = new DrvCachePusher(new NixProcessRunner(), new DirectoryCacheStorage(Options.Create(_hydra), TimeProvider.System), Options.Create(_hydra), Options.Create(new EvaluatorOptions()),
            Options.Create(new IngestionOptions()));
    }

    [Fact]
    public async Task Pushed_drv_closure_verifies_in_nix_and_matches_the_local_store()
    {
        var (top, dep, script) = await InstantiateAsync();

        await _pusher.PushAsync([top], CancellationToken.None);

        Assert.True(await _pusher.CacheHasAsync(dep, default));
        Assert.True(await _pusher.CacheHasAsync(script, default));
        var publicKey = (await File.ReadAllTextAsync(_hydra.PublicKeyFile)).Trim();
        var verify = await TestProcess.RunAsync("nix", "store", "verify", "--derivation", "--recursive", "--store", $"file://{_hydra.CacheDir}",
            "--trusted-public-keys", publicKey, top);
        Assert.True(verify.ExitCode == 0, verify.Error);
        // Nix trusts a path whose CA field matches its name and references without any signature.
        var byContentAddress = await VerifyAsync(top, NixSigningKey.Generate("other-1").PublicKeyText);
        Assert.True(byContentAddress.ExitCode == 0, byContentAddress.Error);
        var copy = await TestProcess.RunAsync("nix", "copy", "--derivation", "--from", $"file://{_hydra.CacheDir}", "--to", $"file://{_hydra.DataDir}/copy",
            "--option", "trusted-public-keys", publicKey, "--option", "require-sigs", "true", top);
        Assert.True(copy.ExitCode == 0, copy.Error);
        foreach (var drv in new[] { top, dep })
        {
            var local = await PathInfoAsync(drv);
            var cached = await PathInfoAsync(drv, "--store", $"file://{_hydra.CacheDir}");
            foreach (var field in new[] { "narHash", "narSize", "references", "ca" })
            {
                Assert.Equal(local.GetProperty(field).ToString(), cached.GetProperty(field).ToString());
            }
        }
    }

    [Fact]
    public async Task Nix_accepts_the_signature_without_the_content_address()
    {
        var (top, dep, _) = await InstantiateAsync();
        await _pusher.PushAsync([top], CancellationToken.None);
        var publicKey = (await File.ReadAllTextAsync(_hydra.PublicKeyFile)).Trim();
        foreach (var drv in new[] { top, dep })
        {
            var path = Path.Combine(_hydra.CacheDir, StorePath.Parse(drv).HashPart + ".narinfo");
            var info = NarInfo.Parse(await File.ReadAllTextAsync(path));
            info.Ca = null;
            await File.WriteAllTextAsync(path, info.ToText());
        }

        var trusted = await VerifyAsync(top, publicKey);
        var untrusted = await VerifyAsync(top, NixSigningKey.Generate("other-1").PublicKeyText);

        Assert.True(trusted.ExitCode == 0, trusted.Error);
        Assert.NotEqual(0, untrusted.ExitCode);
    }

    [Fact]
    public async Task Second_push_of_a_cached_closure_writes_nothing()
    {
        var (top, _, _) = await InstantiateAsync();
        await _pusher.PushAsync([top], CancellationToken.None);
        var before = Directory.EnumerateFiles(_hydra.CacheDir, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        await _pusher.PushAsync([top], CancellationToken.None);

        var after = Directory.EnumerateFiles(_hydra.CacheDir, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Assert.Equal(before, after);
        Assert.DoesNotContain(after.Keys, f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Push_from_the_planners_files_matches_a_push_that_reads_them_and_verifies()
    {
        var (top, dep, _) = await InstantiateAsync();
        var planner = new StepGraphPlanner(_pusher.CacheHasAsync, parallelism: 2, _pusher.ReadDerivation);
        await planner.AddAllAsync([top], CancellationToken.None);
        var files = planner.TakeFiles();
        Assert.Equal(new[] { dep, top }.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(planner.TakeFiles());
        Assert.Equal(await File.ReadAllBytesAsync(top), files[top].Contents);

        // Both as roots, the dependent first: the dependency's narinfo must still come no later.
        await _pusher.PushAsync([top, dep], files, CancellationToken.None);
        var fromFiles = await NarInfosAsync(_hydra.CacheDir, top, dep);
        var reading = new HydraOptions { DataDir = Directory.CreateTempSubdirectory("hydra-drvpush-").FullName };
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(reading.SecretKeyFile)!);
            File.Copy(_hydra.SecretKeyFile, reading.SecretKeyFile);
            Directory.CreateDirectory(reading.CacheDir);
            var pusher = new DrvCachePusher(new NixProcessRunner(), new DirectoryCacheStorage(Options.Create(reading), TimeProvider.System), Options.Create(reading), Options.Create(new EvaluatorOptions()),
                Options.Create(new IngestionOptions()));
            await pusher.PushAsync([top], CancellationToken.None);
            Assert.Equal(await NarInfosAsync(reading.CacheDir, top, dep), fromFiles);
        }
        finally
        {
            Directory.Delete(reading.DataDir, recursive: true);
        }

        var verify = await VerifyAsync(top, (await File.ReadAllTextAsync(_hydra.PublicKeyFile)).Trim());
        Assert.True(verify.ExitCode == 0, verify.Error);
    }

    [Fact]
    public async Task A_partial_copy_in_one_worker_store_gives_way_to_a_whole_one_in_another()
    {
        var (top, _, _) = await InstantiateAsync();
        // Worker 0 is still writing the derivation (Nix writes a .drv in place); worker 1 reported it and has it whole.
        var partial = EvalStores.Root(_hydra.DataDir, 0) + top;
        var whole = EvalStores.Root(_hydra.DataDir, 1) + top;
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        Directory.CreateDirectory(Path.GetDirectoryName(whole)!);
        var contents = await File.ReadAllBytesAsync(top);
        await File.WriteAllBytesAsync(partial, contents[..(contents.Length / 2)]);
        await File.WriteAllBytesAsync(whole, contents);

        Assert.Equal(contents, _pusher.ReadDerivation(top).Contents);

        // With no whole copy anywhere (not even in the machine's store), the partial copy's error is the answer.
        var missing = "/nix/store/" + new string('a', 32) + "-nowhere.drv";
        var stray = EvalStores.Root(_hydra.DataDir, 0) + missing;
        await File.WriteAllBytesAsync(stray, contents[..(contents.Length / 2)]);
        var error = Assert.Throws<FormatException>(() => _pusher.ReadDerivation(missing));
        Assert.Contains(stray, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_hydra.DataDir, recursive: true);

    private static async Task<string[]> NarInfosAsync(string cacheDir, params string[] paths) =>
        await Task.WhenAll(paths.Select(p => File.ReadAllTextAsync(Path.Combine(cacheDir, StorePath.Parse(p).HashPart + ".narinfo"))));

    /// <summary>A top-level derivation with one input derivation and one plain source (its builder script).</summary>
    private static async Task<(string Top, string Dep, string Script)> InstantiateAsync()
    {
        var salt = Guid.NewGuid().ToString("N");
        var expression = $$"""
            let
              dep = derivation { name = "push-dep"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo dep > $out" ]; salt = "{{salt}}"; };
            in derivation {
              name = "push-top"; system = builtins.currentSystem; builder = "/bin/sh";
              args = [ (builtins.toFile "push-script-{{salt}}" "echo top > $out") ]; inherit dep;
            }
            """;
        var top = await TestProcess.RunCheckedAsync("nix-instantiate", "-E", expression);
        var derivation = await DerivationParser.ParseFileAsync(top, CancellationToken.None);
        return (top, Assert.Single(derivation.InputDrvs.Keys), Assert.Single(derivation.InputSrcs));
    }

    private Task<(int ExitCode, string Output, string Error)> VerifyAsync(string drv, string publicKey) =>
        TestProcess.RunAsync("nix", "store", "verify", "--derivation", "--recursive", "--no-contents", "--store", $"file://{_hydra.CacheDir}", "--trusted-public-keys", publicKey, drv);

    private static async Task<JsonElement> PathInfoAsync(string drv, params string[] store)
    {
        var json = await TestProcess.RunCheckedAsync("nix", ["path-info", "--derivation", "--json", .. store, drv]);
        return Assert.Single(JsonDocument.Parse(json).RootElement.EnumerateArray().ToList()).Clone();
    }
}
