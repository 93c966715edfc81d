using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
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

        long buildId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, $"p{Guid.NewGuid():N}", "j");
            var build = await Seed.BuildAsync(db, jobset, null, "site", status: 0);
            db.RemoveRange(build.Outputs);
            db.Add(new BuildOutput { BuildId = build.Id, Name = "out", Path = output });
            db.AddRange(
                new BuildProduct { BuildId = build.Id, ProductNr = 1, Type = "file", Subtype = "source-dist", Path = $"{output}/release.tar.gz", Name = "release.tar.gz" },
                new BuildProduct { BuildId = build.Id, ProductNr = 2, Type = "doc", Subtype = "manual", Path = output, Name = "site" },
                new BuildProduct { BuildId = build.Id, ProductNr = 3, Type = "file", Subtype = "", Path = "/etc/passwd", Name = "passwd" },
                new BuildProduct { BuildId = build.Id, ProductNr = 4, Type = "file", Subtype = "", Path = $"{output}/escape", Name = "escape" });
            await db.SaveChangesAsync();
            buildId = build.Id;
        });
        return buildId;
    }

    private async Task WriteCacheEntryAsync(string storePath, byte[] nar)
    {
        var cache = Path.Combine(factory.DataDir, "cache");
        Directory.CreateDirectory(Path.Combine(cache, "nar"));
        var hash = SHA256.HashData(nar);
        var narName = Convert.ToHexStringLower(hash) + ".nar";
        await File.WriteAllBytesAsync(Path.Combine(cache, "nar", narName), nar);
        var hashPart = storePath["/nix/store/".Length..storePath.IndexOf('-', StringComparison.Ordinal)];
        await File.WriteAllTextAsync(Path.Combine(cache, hashPart + ".narinfo"), $"""
            StorePath: {storePath}
            URL: nar/{narName}
            Compression: none
            NarHash: sha256:{NixBase32.Encode(hash)}
            NarSize: {nar.Length}
            References: 

            """);
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
