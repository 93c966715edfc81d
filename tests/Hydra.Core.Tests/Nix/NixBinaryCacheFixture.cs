namespace Hydra.Core.Tests.Nix;

/// <summary>
/// A file:// binary cache written and signed by real Nix: a key from
/// <c>nix-store --generate-binary-cache-key</c>, and a freshly built input-addressed path (so Nix
/// checks its signatures, unlike content-addressed paths) that refers to one source file.
/// </summary>
public sealed class NixBinaryCacheFixture : IAsyncLifetime, IDisposable
{
    public const string KeyName = "test-1";

    private readonly TemporaryDirectory _directory = new();

    public string SecretKeyPath => _directory.Combine("sk");

    public string PublicKeyText { get; private set; } = string.Empty;

    /// <summary>The cache Nix wrote; tests copy it before changing anything.</summary>
    public string CacheDir => _directory.Combine("cache");

    public string OutputPath { get; private set; } = string.Empty;

    public string NarInfoPath => Path.Combine(CacheDir, Path.GetFileName(OutputPath)[..32] + ".narinfo");

    public async Task InitializeAsync()
    {
        await NixProcess.RunCheckedAsync("nix-store", "--generate-binary-cache-key", KeyName, SecretKeyPath, _directory.Combine("pk"));
        PublicKeyText = (await File.ReadAllTextAsync(_directory.Combine("pk"))).Trim();

        var salt = Guid.NewGuid().ToString("N");
        var expression = $$"""
            derivation {
              name = "signing-test";
              system = builtins.currentSystem;
              builder = "/bin/sh";
              args = [ "-c" "echo ${builtins.toFile "dep" "{{salt}}"} > $out" ];
              PATH = "/bin:/usr/bin";
            }
            """;
        OutputPath = await NixProcess.RunCheckedAsync("nix-build", "--no-out-link", "-E", expression);
        await NixProcess.RunCheckedAsync("nix", "copy", "--to", $"file://{CacheDir}?secret-key={SecretKeyPath}", OutputPath);
    }

    /// <summary>Copies the cache to a new directory under this fixture's temp folder.</summary>
    public string CopyCache()
    {
        var target = _directory.Combine("copy-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(CacheDir, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(CacheDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    /// <summary>Runs <c>nix store verify</c> on the output path in <paramref name="cacheDir"/>, trusting only <paramref name="publicKey"/>.</summary>
    public Task<ProcessResult> VerifyWithNixAsync(string cacheDir, string publicKey) =>
        NixProcess.RunAsync(
            "nix",
            ["store", "verify", "--store", $"file://{cacheDir}", "--trusted-public-keys", publicKey, OutputPath],
            CancellationToken.None);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _directory.Dispose();
}
