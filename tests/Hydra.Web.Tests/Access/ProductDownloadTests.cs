using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hydra.Core.Data.Entities;
using Hydra.Core.Nix;
using Hydra.Testing;

namespace Hydra.Web.Tests.Access;

/// <summary>
/// Product downloads out of an output's NAR in the binary cache: the NAR is made by <c>nix-store --dump</c> of a real
/// directory holding files and hostile symbolic links.
/// </summary>
public sealed class ProductDownloadTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const string Page = "<html><body><script>alert(document.cookie)</script></body></html>";

    [Fact]
    public async Task A_file_product_is_served_sandboxed_and_unsniffable()
    {
        var build = await SeedAsync();
        var response = await factory.CreateClient().GetAsync($"/build/{build}/download/1/release.tar.gz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tarball bytes\n", await response.Content.ReadAsStringAsync());
        AssertSandboxed(response);
    }

    [Fact]
    public async Task A_directory_product_serves_its_index_and_the_files_and_links_inside_it()
    {
        var build = await SeedAsync();
        var client = factory.CreateClient();

        var index = await client.GetAsync($"/build/{build}/download/2");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Page, await index.Content.ReadAsStringAsync());
        AssertSandboxed(index);

        foreach (var path in new[] { "doc/manual.txt", "doc/readme", "absolute", "doclink/manual.txt", "self/self/doc/manual.txt" })
        {
            var response = await client.GetAsync($"/build/{build}/download/2/{path}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("the manual\n", await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("escape", HttpStatusCode.Forbidden)]
    [InlineData("up", HttpStatusCode.Forbidden)]
    [InlineData("doc/deep-up", HttpStatusCode.Forbidden)]
    [InlineData("other-output", HttpStatusCode.Forbidden)]
    [InlineData("loop1", HttpStatusCode.Forbidden)]
    [InlineData("missing", HttpStatusCode.NotFound)]
    [InlineData("doc/manual.txt/more", HttpStatusCode.NotFound)]
    public async Task Symlinks_out_of_the_output_and_loops_are_refused(string path, HttpStatusCode expected)
    {
        var build = await SeedAsync();
        var response = await factory.CreateClient().GetAsync($"/build/{build}/download/2/{path}");

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        AssertSandboxed(response);
    }

    [Theory]
    [InlineData("..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("doc/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("%252e%252e/etc/passwd")]
    [InlineData("doc/.%2Fmanual.txt")]
    public async Task Encoded_traversal_is_refused(string path)
    {
        var build = await SeedAsync();
        var response = await factory.CreateClient().GetAsync($"/build/{build}/download/2/{path}");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("root:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_product_that_is_an_escaping_symlink_or_outside_the_outputs_is_refused()
    {
        var build = await SeedAsync();
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/build/{build}/download/3/passwd")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/build/{build}/download/4/x")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/build/{build}/download/9/x")).StatusCode);
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("xz")]
    [InlineData("br")]
    public async Task A_large_file_streams_out_of_a_compressed_nar(string compression)
    {
        var output = $"/nix/store/{NixBase32.Encode(RandomNumberGenerator.GetBytes(20))}-big";
        var contents = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 120_000).Select(i => $"line {i} {i * 7919 % 104_729}\n")));
        var dir = Directory.CreateTempSubdirectory("hydra-product-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "a-first.txt"), "before the big file\n");
            await File.WriteAllBytesAsync(Path.Combine(dir, "big.txt"), contents);
            await WriteCacheEntryAsync(output, await DumpAsync(dir), compression);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        var build = await SeedBuildAsync(output, new BuildProduct { ProductNr = 1, Type = "file", Subtype = "binary-dist", Path = $"{output}/big.txt", Name = "big.txt" });

        var client = factory.CreateClient();
        for (var round = 0; round < 2; round++)
        {
            // The second round finds the listing remembered and reads the NAR once.
            using var response = await client.GetAsync($"/build/{build}/download/1/big.txt", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(contents.Length, response.Content.Headers.ContentLength);
            Assert.Equal(contents, await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task A_nar_that_does_not_match_its_narinfo_is_refused()
    {
        var output = $"/nix/store/{NixBase32.Encode(RandomNumberGenerator.GetBytes(20))}-tampered";
        var dir = Directory.CreateTempSubdirectory("hydra-product-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "file.txt"), "original\n");
            var nar = await DumpAsync(dir);
            await WriteCacheEntryAsync(output, nar, "none", narHash: SHA256.HashData([.. nar, 0]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        var build = await SeedBuildAsync(output, new BuildProduct { ProductNr = 1, Type = "file", Subtype = "", Path = $"{output}/file.txt", Name = "file.txt" });

        var response = await factory.CreateClient().GetAsync($"/build/{build}/download/1/file.txt");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("does not match its narinfo", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static void AssertSandboxed(HttpResponseMessage response)
    {
        Assert.StartsWith("sandbox", string.Join(";", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    /// <summary>A finished build whose output (a directory) is in the cache, with four products.</summary>
    private async Task<long> SeedAsync()
    {
        var output = $"/nix/store/{NixBase32.Encode(RandomNumberGenerator.GetBytes(20))}-site";
        var dir = Directory.CreateTempSubdirectory("hydra-product-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "doc"));
            await File.WriteAllTextAsync(Path.Combine(dir, "index.html"), Page);
            await File.WriteAllTextAsync(Path.Combine(dir, "release.tar.gz"), "tarball bytes\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "doc", "manual.txt"), "the manual\n");
            File.CreateSymbolicLink(Path.Combine(dir, "doc", "readme"), "manual.txt");
            File.CreateSymbolicLink(Path.Combine(dir, "doc", "deep-up"), "../../../etc/passwd");
            File.CreateSymbolicLink(Path.Combine(dir, "absolute"), $"{output}/doc/manual.txt");
            File.CreateSymbolicLink(Path.Combine(dir, "other-output"), $"{output}-evil/doc/manual.txt");
            File.CreateSymbolicLink(Path.Combine(dir, "doclink"), "doc");
            File.CreateSymbolicLink(Path.Combine(dir, "self"), ".");
            File.CreateSymbolicLink(Path.Combine(dir, "escape"), "/etc/passwd");
            File.CreateSymbolicLink(Path.Combine(dir, "up"), "../etc/passwd");
            File.CreateSymbolicLink(Path.Combine(dir, "loop1"), "loop2");
            File.CreateSymbolicLink(Path.Combine(dir, "loop2"), "loop1");
            await WriteCacheEntryAsync(output, await DumpAsync(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return await SeedBuildAsync(output,
            new BuildProduct { ProductNr = 1, Type = "file", Subtype = "source-dist", Path = $"{output}/release.tar.gz", Name = "release.tar.gz" },
            new BuildProduct { ProductNr = 2, Type = "doc", Subtype = "manual", Path = output, Name = "site" },
            new BuildProduct { ProductNr = 3, Type = "file", Subtype = "", Path = "/etc/passwd", Name = "passwd" },
            new BuildProduct { ProductNr = 4, Type = "file", Subtype = "", Path = $"{output}/escape", Name = "escape" });
    }

    /// <summary>A finished build with the one output <paramref name="output"/> and <paramref name="products"/>.</summary>
    private async Task<long> SeedBuildAsync(string output, params BuildProduct[] products)
    {
        long buildId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, $"p{Guid.NewGuid():N}", "j");
            var build = await Seed.BuildAsync(db, jobset, null, "site", status: 0);
            db.RemoveRange(build.Outputs);
            db.Add(new BuildOutput { BuildId = build.Id, Name = "out", Path = output });
            foreach (var product in products)
            {
                product.BuildId = build.Id;
            }
            db.AddRange(products);
            await db.SaveChangesAsync();
            buildId = build.Id;
        });
        return buildId;
    }

    /// <summary>Puts <paramref name="nar"/> in the cache as <paramref name="storePath"/>, compressed; <paramref name="narHash"/> overrides the narinfo's NarHash.</summary>
    private async Task WriteCacheEntryAsync(string storePath, byte[] nar, string compression = "none", byte[]? narHash = null)
    {
        var cache = Path.Combine(factory.DataDir, "cache");
        Directory.CreateDirectory(Path.Combine(cache, "nar"));
        var file = await CompressAsync(nar, compression);
        var narName = NixBase32.Encode(SHA256.HashData(file)) + ".nar" + compression switch { "none" => "", "zstd" => ".zst", var other => "." + other };
        await File.WriteAllBytesAsync(Path.Combine(cache, "nar", narName), file);
        var hashPart = storePath["/nix/store/".Length..storePath.IndexOf('-', StringComparison.Ordinal)];
        await File.WriteAllTextAsync(Path.Combine(cache, hashPart + ".narinfo"), $"""
            StorePath: {storePath}
            URL: nar/{narName}
            Compression: {compression}
            NarHash: sha256:{NixBase32.Encode(narHash ?? SHA256.HashData(nar))}
            NarSize: {nar.Length}
            References: 

            """);
    }

    private static async Task<byte[]> CompressAsync(byte[] nar, string compression)
    {
        if (compression == "none")
        {
            return nar;
        }
        using var compressed = new MemoryStream();
        if (compression == "br")
        {
            await using (var brotli = new BrotliStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await brotli.WriteAsync(nar);
            }
            return compressed.ToArray();
        }
        using var process = Process.Start(new ProcessStartInfo(compression, ["-c"]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        var reading = process.StandardOutput.BaseStream.CopyToAsync(compressed);
        await process.StandardInput.BaseStream.WriteAsync(nar);
        process.StandardInput.Close();
        await reading;
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return compressed.ToArray();
    }

    private static async Task<byte[]> DumpAsync(string path)
    {
        NixTestEnvironment.Apply();
        using var process = Process.Start(new ProcessStartInfo("nix-store", ["--dump", path]) { RedirectStandardOutput = true })!;
        using var nar = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(nar);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return nar.ToArray();
    }
}
