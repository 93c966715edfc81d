using System.Security.Cryptography;
using Hydra.Builder.Nix.Serve;
using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Nix;
using Hydra.Core.Processes;

namespace Hydra.Builder.Tests.Nix;

/// <summary>The serve protocol against the real <c>nix-store --serve</c> of this machine.</summary>
public sealed class NixServeSessionTests
{
    [Fact]
    public async Task Path_infos_match_what_the_store_registered_and_invalid_paths_are_left_out()
    {
        var (drv, output) = await BuildAsync("echo hello > $out");
        var missing = "/nix/store/" + new string('0', 32) + "-missing";
        await using var session = await NixServeSession.StartAsync(_ => { }, CancellationToken.None);

        var infos = await session.QueryPathInfosAsync([output, missing], CancellationToken.None);

        var info = Assert.Single(infos);
        Assert.Equal(output, info.Path);
        Assert.Equal(drv, info.Deriver);
        Assert.Empty(info.References);
        Assert.Equal(await QueryAsync("--size", output), info.NarSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(await QueryAsync("--hash", output), info.NarHash);
        Assert.Null(info.Ca);
        Assert.True(session.ServerMinor >= ServeProtocol.MinServerMinor);
    }

    [Fact]
    public async Task The_dumped_NAR_has_the_registered_hash_and_the_session_serves_many_calls()
    {
        var (_, first) = await BuildAsync("echo one > $out");
        var (_, second) = await BuildAsync("mkdir $out; echo two > $out/file");
        await using var session = await NixServeSession.StartAsync(_ => { }, CancellationToken.None);

        foreach (var path in new[] { first, second, first })
        {
            var info = (await session.QueryPathInfosAsync([path], CancellationToken.None)).Single();
            using var nar = new MemoryStream();
            await session.DumpStorePathAsync(path, info.NarSize, async (chunk, ct) => await nar.WriteAsync(chunk, ct), CancellationToken.None);

            Assert.Equal(info.NarSize, nar.Length);
            Assert.Equal(info.NarHash, "sha256:" + NixBase32.Encode(SHA256.HashData(nar.ToArray())));
        }

        Assert.False(session.IsBroken);
    }

    [Fact]
    public async Task A_session_whose_Nix_died_is_broken()
    {
        var (_, output) = await BuildAsync("echo alive > $out");
        var session = await NixServeSession.StartAsync(_ => { }, CancellationToken.None);
        await using (session)
        {
            // Asking for a path that is not in the store makes nix-store --serve fail and exit.
            var bogus = "/nix/store/" + new string('1', 32) + "-bogus";
            await Assert.ThrowsAnyAsync<IOException>(
                () => session.DumpStorePathAsync(bogus, 8, (_, _) => ValueTask.CompletedTask, CancellationToken.None));

            Assert.True(session.IsBroken);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => session.QueryPathInfosAsync([output], CancellationToken.None));
        }
    }

    private static async Task<(string Drv, string Output)> BuildAsync(string script)
    {
        var drv = await TestNix.InstantiateAsync(script);
        await TestNix.RealiseAsync(drv);
        return (drv, (await TestNix.OutputPathsAsync(drv)).Single());
    }

    private static async Task<string> QueryAsync(string what, string path) =>
        (await TestNix.RunAsync("nix-store", ["--query", what, path])).Single();
}
