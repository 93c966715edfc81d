using Hydra.Core.Nix;

namespace Hydra.Web.Tests.Cache;

/// <summary>A server whose key was rotated: an earlier key is listed, its signatures still verify, new ones use the current key.</summary>
public sealed class KeyRotationTests(KeyRotationTests.RotatedKeyServer factory) : IClassFixture<KeyRotationTests.RotatedKeyServer>, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hydra-cache-rotation-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Public_keys_list_the_current_key_first_then_the_earlier_one()
    {
        var keys = await factory.Client().GetStringAsync("/cache/public-keys");

        Assert.Equal($"{await factory.PublicKeyAsync()}\n{RotatedKeyServer.OldKey.PublicKeyText}\n", keys);
    }

    [Fact]
    public async Task Paths_signed_before_and_after_the_rotation_both_substitute_with_the_listed_keys()
    {
        // Before the rotation: a path the old key signed, as it lies in the cache directory.
        var before = await NixCli.BuildTinyPathAsync();
        await CopyToCacheDirectoryAsync(before, RotatedKeyServer.OldKey);

        // After: a path uploaded now, which the server signs with the current key.
        var after = await NixCli.BuildTinyPathAsync();
        await UploadAsync(after);
        var afterInfo = NarInfo.Parse(await factory.Client().GetStringAsync($"/cache/{StorePath.Parse(after).HashPart}.narinfo"));

        var keys = (await factory.Client().GetStringAsync("/cache/public-keys")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var both = await CopyAsync([before, after], string.Join(' ', keys), "both");
        var currentOnly = await CopyAsync([before], keys[0], "current-only");

        Assert.StartsWith(factory.KeyName + ":", Assert.Single(afterInfo.Sigs), StringComparison.Ordinal);
        Assert.True(both.ExitCode == 0, "copy trusting both keys failed: " + both.Stderr);
        Assert.NotEqual(0, currentOnly.ExitCode);
        Assert.Contains("lacks a valid signature", currentOnly.Stderr, StringComparison.Ordinal);
    }

    private async Task CopyToCacheDirectoryAsync(string path, NixSigningKey key)
    {
        var keyFile = Path.Combine(_scratch, "old-secret-key");
        await File.WriteAllTextAsync(keyFile, key.SecretKeyText);
        var result = await NixCli.RunAsync("nix", ["copy", "--to", $"file://{factory.CacheDir}?compression=zstd&secret-key={keyFile}", path]);
        Assert.True(result.ExitCode == 0, "nix copy --to file:// failed: " + result.Stderr);
    }

    private async Task UploadAsync(string path)
    {
        var worker = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(worker);
        await factory.HoldStepAsync(worker, [path]);
        var netrc = Path.Combine(_scratch, "netrc");
        await File.WriteAllTextAsync(netrc, $"machine 127.0.0.1 login worker password {token}\n");
        var result = await NixCli.RunAsync("nix", ["copy", "--to", factory.CacheUrl + "?compression=zstd", path], $"netrc-file = {netrc}");
        Assert.True(result.ExitCode == 0, "nix copy --to failed: " + result.Stderr);
    }

    private Task<NixCli.Result> CopyAsync(string[] paths, string trustedKeys, string storeName) =>
        NixCli.RunAsync("nix",
            ["copy", "--from", factory.CacheUrl, "--to", Path.Combine(_scratch, storeName), .. paths],
            $"trusted-public-keys = {trustedKeys}", "require-sigs = true");

    /// <summary>The cache server after a rotation from <see cref="OldKey"/> to a new key named <see cref="KeyName"/>.</summary>
    public sealed class RotatedKeyServer : CacheServerFactory
    {
        public static readonly NixSigningKey OldKey = NixSigningKey.Generate("hydra-1");

        public string KeyName => "hydra-2";

        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("Hydra:SigningKeyName", KeyName),
            new("Hydra:Cache:PreviousPublicKeys:0", OldKey.PublicKeyText),
        ];
    }
}
