using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Testing;
using Hydra.Web.Channels;
using Hydra.Web.Tests.Cache;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Channels;

/// <summary>
/// A channel as real Nix uses it: <c>nix-channel --add</c> and <c>--update</c> against the server, the channel's
/// expression evaluated, and its output substituted from the farm's cache into a fresh store.
/// </summary>
public sealed class ChannelNixTests(CacheServerFactory factory) : IClassFixture<CacheServerFactory>, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hydra-channel-nix-").FullName;
    private readonly GitRepository _repository = new();

    public void Dispose()
    {
        _repository.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    [Fact]
    public async Task Nix_channel_subscribes_evaluates_the_promoted_revision_and_substitutes_from_the_cache()
    {
        var salt = Guid.NewGuid().ToString("N");
        var revision = _repository.Commit("release", ("default.nix",
            $$"""
            rec {
              dep = derivation { name = "chan-dep"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo {{salt}} > $out" ]; };
              hello = derivation { name = "chan-hello"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo ${dep} > $out" ]; };
            }
            """));
        var built = await TestProcess.RunAsync("nix-build", Nix(), "--no-out-link", Path.Combine(_repository.Path, "default.nix"), "-A", "hello");
        Assert.True(built.ExitCode == 0, built.Error);
        var hello = built.Output.Trim();
        var dep = (await TestProcess.RunCheckedAsync("nix-store", "--query", "--references", hello)).Trim();
        await UploadAsync(hello, dep);
        // A later commit must not leak into the promoted revision's tarball.
        _repository.Commit("later", ("default.nix", "throw \"not the promoted revision\""));

        var channel = $"nixos-{salt[..8]}";
        await PromoteAsync(channel, revision, hello);

        var home = Directory.CreateDirectory(Path.Combine(_scratch, "home")).FullName;
        var state = Path.Combine(_scratch, "state");
        Directory.CreateDirectory(Path.Combine(state, "profiles", "per-user", Environment.UserName));
        // The store is the real one (its database under /nix/var/nix); profiles and ~/.nix-channels are private to the test.
        var environment = Nix(("HOME", home), ("NIX_STATE_DIR", state), ("NIX_REMOTE", "local?state=/nix/var/nix"));
        var add = await TestProcess.RunAsync("nix-channel", environment, "--add", $"{factory.BaseUrl}/channel/{channel}", channel);
        Assert.True(add.ExitCode == 0, add.Error);
        var update = await TestProcess.RunAsync("nix-channel", environment, "--update");
        Assert.True(update.ExitCode == 0, update.Error);
        var channelDir = Path.Combine(home, ".nix-defexpr", "channels", channel);
        Assert.True(File.Exists(Path.Combine(channelDir, "default.nix")), "nix-channel --update left no channel: " + update.Error);

        var evaluated = await TestProcess.RunAsync("nix-instantiate", environment, "--eval", "-I", $"{channel}={channelDir}",
            "-E", $"(import <{channel}>).hello.outPath");
        Assert.True(evaluated.ExitCode == 0, evaluated.Error);
        Assert.Equal($"\"{hello}\"", evaluated.Output.Trim());

        // Substitute into a fresh store from the cache binary-cache-url names, checking the farm's signature.
        using var http = factory.Client();
        var cacheUrl = (await http.GetStringAsync($"/channel/{channel}/binary-cache-url")).Trim();
        Assert.Equal(factory.CacheUrl, cacheUrl);
        var fresh = Path.Combine(_scratch, "fresh-store");
        var substituted = await TestProcess.RunAsync("nix-store", Nix(("XDG_CACHE_HOME", Path.Combine(_scratch, "xdg"))), "--store", fresh, "--realise", hello,
            "--option", "substituters", cacheUrl, "--option", "trusted-public-keys", await factory.PublicKeyAsync(), "--option", "require-sigs", "true");
        Assert.True(substituted.ExitCode == 0, substituted.Error);
        Assert.Equal(dep + "\n", await File.ReadAllTextAsync(fresh + hello));
        Assert.Equal(salt + "\n", await File.ReadAllTextAsync(fresh + dep));
    }

    private async Task UploadAsync(params string[] paths)
    {
        var worker = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(worker);
        await factory.HoldStepAsync(worker, paths);
        var netrc = Path.Combine(_scratch, "netrc");
        await File.WriteAllTextAsync(netrc, $"machine 127.0.0.1 login worker password {token}\n");
        var copy = await TestProcess.RunAsync("nix", Nix(("NIX_CONFIG", NixTestEnvironment.Config + $"\nnetrc-file = {netrc}")),
            ["copy", "--to", factory.CacheUrl + "?compression=xz", .. paths]);
        Assert.True(copy.ExitCode == 0, copy.Error);
    }

    /// <summary>A jobset whose expression input is the test repository, an evaluation at <paramref name="revision"/> with a successful build, promoted.</summary>
    private async Task PromoteAsync(string channel, string revision, string output)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
        var now = DateTimeOffset.UtcNow;
        var project = new Project { Name = channel.Replace('-', '_'), DisplayName = channel, Owner = "alice", CreatedAt = now };
        var jobset = new Jobset { Project = project, Name = "release", NixExprInput = "src", NixExprPath = "default.nix", CreatedAt = now };
        jobset.Inputs.Add(new JobsetInput { Name = "src", Type = "git", Value = _repository.Url });
        var eval = new Evaluation { Jobset = jobset, CreatedAt = now, InputsHash = revision, HasNewBuilds = true, NixExprInput = "src", NixExprPath = "default.nix" };
        eval.Inputs.Add(new EvaluationInput { Name = "src", Type = "git", Uri = _repository.Url, Revision = revision });
        var build = new Build
        {
            Jobset = jobset, Job = "hello", NixName = "chan-hello", DrvPath = "/nix/store/00000000000000000000000000000000-chan-hello.drv", System = "x86_64-linux",
            QueuedAt = now, Finished = true, BuildStatus = BuildStatus.Succeeded, StartTime = now, StopTime = now,
        };
        build.Outputs.Add(new BuildOutput { Name = "out", Path = output });
        db.AddRange(eval, build);
        await db.SaveChangesAsync();
        db.Add(new EvaluationMember { EvaluationId = eval.Id, BuildId = build.Id, IsNew = true });
        await db.SaveChangesAsync();

        var store = factory.Services.GetRequiredService<ChannelStore>();
        Assert.True(await store.SaveAsync(channel, project.Name, jobset.Name, followJob: null, "", CancellationToken.None));
        Assert.Equal(ChannelChange.Done, await store.PromoteAsync((await store.FindAsync(channel, CancellationToken.None))!, eval.Id, "alice", CancellationToken.None));
    }

    private static Dictionary<string, string> Nix(params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string> { ["NIX_REMOTE"] = "local", ["NIX_CONFIG"] = NixTestEnvironment.Config };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }
        return environment;
    }
}
