using System.Text;
using Hydra.Core.Nix;
using Hydra.Core.Storage;

namespace Hydra.Core.Tests.Nix;

/// <summary>Reading single-file store paths out of binary caches written by real Nix (<c>nix copy --to file://...</c>).</summary>
public sealed class CacheFileReaderTests : IDisposable
{
    private const long Limit = 16 * 1024 * 1024;
    private readonly TemporaryDirectory _directory = new();

    [Theory]
    [InlineData("none")]
    [InlineData("zstd")]
    [InlineData("xz")]
    [InlineData("bzip2")]
    [InlineData("br")]
    public async Task Reads_a_file_whatever_the_compression(string compression)
    {
        var text = "{ \"trunk\": { \"nixexprinput\": \"src\" } }\n" + Guid.NewGuid();
        var storePath = await AddFileAsync(text);
        var cache = await CopyAsync(storePath, compression);

        var contents = await CacheFileReader.ReadAsync(Storage(cache), storePath, Limit, CancellationToken.None);

        Assert.Equal(text, Encoding.UTF8.GetString(contents.Span));
    }

    [Fact]
    public async Task Reads_a_file_of_many_chunks()
    {
        var text = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i} {Guid.NewGuid()}\n"));
        var storePath = await AddFileAsync(text);
        var cache = await CopyAsync(storePath, "zstd");

        var contents = await CacheFileReader.ReadAsync(Storage(cache), storePath, Limit, CancellationToken.None);

        Assert.Equal(text, Encoding.UTF8.GetString(contents.Span));
    }

    [Fact]
    public async Task Refuses_a_directory_output()
    {
        var directory = _directory.Combine("out-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "jobsets.json"), "{}");
        var storePath = await NixProcess.RunCheckedAsync("nix-store", "--add", directory);
        var cache = await CopyAsync(storePath, "zstd");

        var error = await Assert.ThrowsAsync<FormatException>(() => CacheFileReader.ReadAsync(Storage(cache), storePath, Limit, CancellationToken.None));

        Assert.Equal($"{storePath}: The archived path is a directory, not a regular file.", error.Message);
    }

    [Fact]
    public async Task Refuses_a_path_larger_than_the_limit_before_reading_its_nar()
    {
        var storePath = await AddFileAsync(new string('x', 5000));
        var cache = await CopyAsync(storePath, "zstd");

        var error = await Assert.ThrowsAsync<FormatException>(() => CacheFileReader.ReadAsync(Storage(cache), storePath, 4096, CancellationToken.None));

        Assert.Contains("more than the limit of 4096 bytes", error.Message);
    }

    [Fact]
    public async Task Says_when_the_path_is_not_in_the_cache()
    {
        var storePath = await AddFileAsync("never copied");
        var cache = _directory.Combine("empty-cache");
        Directory.CreateDirectory(cache);

        var error = await Assert.ThrowsAsync<FormatException>(() => CacheFileReader.ReadAsync(Storage(cache), storePath, Limit, CancellationToken.None));

        Assert.Contains("is not in the binary cache", error.Message);
    }

    [Fact]
    public async Task Refuses_a_nar_that_does_not_match_its_narinfo()
    {
        var storePath = await AddFileAsync("original contents");
        var cache = await CopyAsync(storePath, "none");
        var nar = Directory.GetFiles(Path.Combine(cache, "nar")).Single();
        var bytes = await File.ReadAllBytesAsync(nar);
        bytes[Array.IndexOf(bytes, (byte)'o', 100)] = (byte)'O';
        await File.WriteAllBytesAsync(nar, bytes);

        var error = await Assert.ThrowsAsync<FormatException>(() => CacheFileReader.ReadAsync(Storage(cache), storePath, Limit, CancellationToken.None));

        Assert.Contains("does not match its narinfo", error.Message);
    }

    [Fact]
    public async Task Refuses_corrupt_zstd_data()
    {
        var storePath = await AddFileAsync(string.Concat(Enumerable.Repeat("compressible ", 1000)));
        var cache = await CopyAsync(storePath, "zstd");
        var nar = Directory.GetFiles(Path.Combine(cache, "nar")).Single();
        var bytes = await File.ReadAllBytesAsync(nar);
        await File.WriteAllBytesAsync(nar, bytes[..(bytes.Length / 2)]);

        var error = await Assert.ThrowsAsync<FormatException>(() => CacheFileReader.ReadAsync(Storage(cache), storePath, Limit, CancellationToken.None));

        Assert.Contains("zstd", error.Message);
    }

    public void Dispose() => _directory.Dispose();

    private async Task<string> AddFileAsync(string text)
    {
        var file = _directory.Combine("jobsets-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, text);
        return await NixProcess.RunCheckedAsync("nix-store", "--add", file);
    }

    private async Task<string> CopyAsync(string storePath, string compression)
    {
        var cache = _directory.Combine("cache-" + Guid.NewGuid().ToString("N"));
        await NixProcess.RunCheckedAsync("nix", "copy", "--to", $"file://{cache}?compression={compression}", storePath);
        return cache;
    }

    private static DirectoryCacheStorage Storage(string cacheDirectory) => new(cacheDirectory, TimeProvider.System);
}
