using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hydra.Core.Data;
using Hydra.Core.Nix;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Cache;

/// <summary>A private project's outputs need one of its read tokens (netrc or bearer); other paths stay public.</summary>
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

    /// <summary>Builds a tiny path, records it as the output of a build of <paramref name="project"/>, and uploads it.</summary>
    private async Task<string> UploadBuiltByAsync(string project)
    {
        var path = await NixCli.BuildTinyPathAsync();
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
            var jobset = await db.Jobsets.FirstOrDefaultAsync(j => j.Project!.Name == project)
                ?? await Seed.JobsetAsync(db, project, "main");
            var build = await Seed.BuildAsync(db, jobset, null, "tiny", status: 0);
            await db.Database.ExecuteSqlAsync($"UPDATE build_outputs SET path = {path} WHERE build_id = {build.Id}");
        }

        var worker = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(worker);
        await factory.HoldStepAsync(worker, [path]);
        var netrc = Path.Combine(_scratch, $"worker-netrc-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(netrc, $"machine 127.0.0.1 login worker password {token}\n");
        var result = await NixCli.RunAsync("nix", ["copy", "--to", factory.CacheUrl + "?compression=zstd", path], $"netrc-file = {netrc}");
        Assert.True(result.ExitCode == 0, "nix copy --to failed: " + result.Stderr);
        return path;
    }

    private async Task<HttpResponseMessage> GetNarInfoAsync(string path, AuthenticationHeaderValue? authorization)
    {
        using var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = authorization;
        return await client.GetAsync($"/cache/{StorePath.Parse(path).HashPart}.narinfo");
    }

    private static AuthenticationHeaderValue Basic(string token) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:" + token)));

    /// <summary>The cache server with project <c>secret</c> private (and <c>other</c>, whose token must not open <c>secret</c>).</summary>
    public sealed class PrivateProjectServer : CacheServerFactory
    {
        public const string SecretToken = "secret-reader-token";
        public const string OtherToken = "other-reader-token";

        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("Hydra:Cache:Projects:secret:ReadTokens:0", SecretToken),
            new("Hydra:Cache:Projects:other:ReadTokens:0", OtherToken),
        ];
    }
}
