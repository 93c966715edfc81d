using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hydra.Core.Data;
using Hydra.Core.Nix;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Cache;

/// <summary>A private project's outputs (narinfo, NAR, log) need one of its read tokens (netrc or bearer); other paths stay public.</summary>
public sealed class PrivateCacheTests(PrivateCacheTests.PrivateProjectServer factory) : IClassFixture<PrivateCacheTests.PrivateProjectServer>, IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("hydra-cache-private-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task A_private_projects_narinfo_needs_that_projects_token_and_public_paths_need_none()
    {
        var secret = await UploadBuiltByAsync("secret");
        var open = await UploadBuiltByAsync("open");

        using var anonymous = await GetNarInfoAsync(secret, null);
        using var otherProject = await GetNarInfoAsync(secret, new AuthenticationHeaderValue("Bearer", PrivateProjectServer.OtherToken));
        using var bearer = await GetNarInfoAsync(secret, new AuthenticationHeaderValue("Bearer", PrivateProjectServer.SecretToken));
        using var basic = await GetNarInfoAsync(secret, Basic(PrivateProjectServer.SecretToken));
        using var publicPath = await GetNarInfoAsync(open, null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, otherProject.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Equal(HttpStatusCode.OK, publicPath.StatusCode);
    }

    [Fact]
    public async Task A_workers_token_reads_a_private_projects_narinfo_and_a_bogus_token_does_not()
    {
        var secret = await UploadBuiltByAsync("secret");
        var token = await factory.CreateWorkerTokenAsync($"reader-{Guid.NewGuid():N}");

        using var worker = await GetNarInfoAsync(secret, Basic(token));
        using var bogus = await GetNarInfoAsync(secret, Basic("hw_not-a-worker"));

        Assert.Equal(HttpStatusCode.OK, worker.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bogus.StatusCode);
    }

    [Fact]
    public async Task Nix_copy_from_a_private_project_works_with_its_token_in_a_netrc_file_and_fails_without()
    {
        var secret = await UploadBuiltByAsync("secret");
        var netrc = Path.Combine(_scratch, "reader-netrc");
        await File.WriteAllTextAsync(netrc, $"machine 127.0.0.1 login reader password {PrivateProjectServer.SecretToken}\n");
        var trust = $"trusted-public-keys = {await factory.PublicKeyAsync()}";

        var withToken = await NixCli.RunAsync("nix",
            ["copy", "--from", factory.CacheUrl, "--to", Path.Combine(_scratch, "with-token"), secret], trust, $"netrc-file = {netrc}");
        var without = await NixCli.RunAsync("nix",
            ["path-info", "--store", factory.CacheUrl, secret], trust);

        Assert.True(withToken.ExitCode == 0, "nix copy with the project's token failed: " + withToken.Stderr);
        Assert.Equal("hi\n", await File.ReadAllTextAsync(Path.Combine(_scratch, "with-token") + secret));
        Assert.NotEqual(0, without.ExitCode);
    }

    [Fact]
    public async Task A_private_projects_nar_needs_a_token_that_opens_its_narinfo_even_to_someone_who_knows_its_name()
    {
        // Different contents: a NAR is named by its contents, and one shared with a public path is public.
        var secret = await UploadBuiltByAsync("secret", text: "classified");
        var open = await UploadBuiltByAsync("open", text: "open");
        var secretNar = await NarUrlAsync(secret);
        var openNar = await NarUrlAsync(open);

        using var anonymous = await GetAsync(secretNar, null);
        using var otherProject = await GetAsync(secretNar, Basic(PrivateProjectServer.OtherToken));
        using var projectToken = await GetAsync(secretNar, Basic(PrivateProjectServer.SecretToken));
        using var globalToken = await GetAsync(secretNar, new AuthenticationHeaderValue("Bearer", PrivateProjectServer.GlobalToken));
        using var publicNar = await GetAsync(openNar, null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains("Basic", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, otherProject.StatusCode);
        Assert.Equal(HttpStatusCode.OK, projectToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, globalToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, publicNar.StatusCode);
        Assert.Equal(await projectToken.Content.ReadAsByteArrayAsync(), await globalToken.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_nar_no_narinfo_has_published_yet_is_only_for_global_readers()
    {
        var worker = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(worker);
        await factory.HoldStepAsync(worker, []);
        var bytes = Encoding.UTF8.GetBytes($"unpublished {Guid.NewGuid()}");
        var name = NixBase32.Encode(SHA256.HashData(bytes)) + ".nar.xz";
        using (var client = factory.Client())
        {
            client.DefaultRequestHeaders.Authorization = Basic(token);
            (await client.PutAsync("/cache/nar/" + name, new ByteArrayContent(bytes))).EnsureSuccessStatusCode();
        }

        using var anonymous = await GetAsync("nar/" + name, null);
        using var projectToken = await GetAsync("nar/" + name, Basic(PrivateProjectServer.SecretToken));
        using var globalToken = await GetAsync("nar/" + name, Basic(PrivateProjectServer.GlobalToken));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, projectToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, globalToken.StatusCode);
        Assert.Equal(bytes, await globalToken.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Nix_log_of_a_private_projects_build_works_with_its_token_in_a_netrc_file_and_fails_without()
    {
        var secret = await UploadBuiltByAsync("secret", "compiling the secret\n");
        var drv = (await NixCli.RunAsync("nix-store", ["--query", "--deriver", secret])).Stdout;
        var netrc = Path.Combine(_scratch, "log-reader-netrc");
        await File.WriteAllTextAsync(netrc, $"machine 127.0.0.1 login reader password {PrivateProjectServer.SecretToken}\n");
        var wrongNetrc = Path.Combine(_scratch, "wrong-log-reader-netrc");
        await File.WriteAllTextAsync(wrongNetrc, $"machine 127.0.0.1 login reader password {PrivateProjectServer.OtherToken}\n");

        var withToken = await NixCli.RunAsync("nix", ["log", "--store", factory.CacheUrl, secret], $"netrc-file = {netrc}");
        var withOtherToken = await NixCli.RunAsync("nix", ["log", "--store", factory.CacheUrl, secret], $"netrc-file = {wrongNetrc}");
        var without = await NixCli.RunAsync("nix", ["log", "--store", factory.CacheUrl, secret]);
        using var directAnonymous = await GetAsync("log/" + Path.GetFileName(drv), null);
        using var directWithToken = await GetAsync("log/" + Path.GetFileName(drv), Basic(PrivateProjectServer.SecretToken));

        Assert.True(withToken.ExitCode == 0, "nix log with the project's token failed: " + withToken.Stderr);
        Assert.Equal("compiling the secret", withToken.Stdout);
        Assert.NotEqual(0, withOtherToken.ExitCode);
        Assert.DoesNotContain("compiling the secret", withOtherToken.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, without.ExitCode);
        Assert.DoesNotContain("compiling the secret", without.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, directAnonymous.StatusCode);
        Assert.Equal("compiling the secret\n", await directWithToken.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Builds a tiny path, records it (and its derivation) as a build of <paramref name="project"/>, and uploads it
    /// with <c>nix copy</c> as the worker holding its step, with <paramref name="log"/> as its log when given. The path
    /// is a file holding <paramref name="text"/>.
    /// </summary>
    private async Task<string> UploadBuiltByAsync(string project, string? log = null, string text = "hi")
    {
        var path = await NixCli.BuildTinyPathAsync(text);
        var drv = (await NixCli.RunAsync("nix-store", ["--query", "--deriver", path])).Stdout;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
            var jobset = await db.Jobsets.FirstOrDefaultAsync(j => j.Project!.Name == project)
                ?? await Seed.JobsetAsync(db, project, "main");
            var build = await Seed.BuildAsync(db, jobset, null, "tiny", status: 0);
            await db.Database.ExecuteSqlAsync($"UPDATE build_outputs SET path = {path} WHERE build_id = {build.Id}");
            await db.Database.ExecuteSqlAsync($"UPDATE builds SET drv_path = {drv} WHERE id = {build.Id}");
        }

        var worker = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(worker);
        await factory.HoldStepAsync(worker, [path], drvPath: drv);
        var netrc = Path.Combine(_scratch, $"worker-netrc-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(netrc, $"machine 127.0.0.1 login worker password {token}\n");
        var result = await NixCli.RunAsync("nix", ["copy", "--to", factory.CacheUrl + "?compression=zstd", path], $"netrc-file = {netrc}");
        Assert.True(result.ExitCode == 0, "nix copy --to failed: " + result.Stderr);
        if (log is not null)
        {
            using var client = factory.Client();
            client.DefaultRequestHeaders.Authorization = Basic(token);
            (await client.PutAsync("/cache/log/" + Path.GetFileName(drv), new StringContent(log))).EnsureSuccessStatusCode();
        }

        return path;
    }

    /// <summary>The <c>URL</c> of <paramref name="path"/>'s narinfo, read with the global token.</summary>
    private async Task<string> NarUrlAsync(string path)
    {
        using var response = await GetNarInfoAsync(path, new AuthenticationHeaderValue("Bearer", PrivateProjectServer.GlobalToken));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return NarInfo.Parse(text).Url;
    }

    private async Task<HttpResponseMessage> GetAsync(string cachePath, AuthenticationHeaderValue? authorization)
    {
        using var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = authorization;
        return await client.GetAsync("/cache/" + cachePath);
    }

    private Task<HttpResponseMessage> GetNarInfoAsync(string path, AuthenticationHeaderValue? authorization) =>
        GetAsync(StorePath.Parse(path).HashPart + ".narinfo", authorization);

    private static AuthenticationHeaderValue Basic(string token) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:" + token)));

    /// <summary>
    /// The cache server with project <c>secret</c> private (and <c>other</c>, whose token must not open <c>secret</c>),
    /// and a global read token that opens everything.
    /// </summary>
    public sealed class PrivateProjectServer : CacheServerFactory
    {
        public const string SecretToken = "secret-reader-token";
        public const string OtherToken = "other-reader-token";
        public const string GlobalToken = "global-reader-token";

        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("Hydra:Cache:ReadTokens:0", GlobalToken),
            new("Hydra:Cache:Projects:secret:ReadTokens:0", SecretToken),
            new("Hydra:Cache:Projects:other:ReadTokens:0", OtherToken),
        ];
    }
}
