using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Queue.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests;

/// <summary>Products, metrics, release names, compressed logs and the failure cache, through the server's HTTP surface.</summary>
public sealed class BuildResultsTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const string Evil = "<script>alert(1)</script>";

    [Fact]
    public async Task Build_json_has_products_metrics_and_release_name_in_hydras_shape()
    {
        var buildId = await SeedBuildWithResultsAsync("json");

        var build = await factory.JsonClient().GetFromJsonAsync<JsonElement>($"/build/{buildId}");

        Assert.Equal("json-1.0", build.GetProperty("releasename").GetString());
        var products = build.GetProperty("buildproducts");
        Assert.Equal(["1", "2"], products.EnumerateObject().Select(p => p.Name));
        var tarball = products.GetProperty("1");
        Assert.Equal("file", tarball.GetProperty("type").GetString());
        Assert.Equal("source-dist", tarball.GetProperty("subtype").GetString());
        Assert.Equal("json.tar.gz", tarball.GetProperty("name").GetString());
        Assert.Equal(1234, tarball.GetProperty("filesize").GetInt64());
        Assert.Equal(new string('a', 64), tarball.GetProperty("sha256hash").GetString());
        Assert.EndsWith("-json/json.tar.gz", tarball.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Equal("", tarball.GetProperty("defaultpath").GetString());
        var manual = products.GetProperty("2");
        Assert.Equal(JsonValueKind.Null, manual.GetProperty("filesize").ValueKind);
        Assert.Equal(JsonValueKind.Null, manual.GetProperty("sha256hash").ValueKind);
        Assert.Equal("index.html", manual.GetProperty("defaultpath").GetString());
        var time = build.GetProperty("buildmetrics").GetProperty("time");
        Assert.Equal(12.5, time.GetProperty("value").GetDouble());
        Assert.Equal("s", time.GetProperty("unit").GetString());
    }

    [Fact]
    public async Task Build_page_lists_products_and_metrics_escaped()
    {
        var buildId = await SeedBuildWithResultsAsync("page", evilName: Evil);

        var page = await factory.CreateClient().GetStringAsync($"/build/{buildId}");

        Assert.Contains("Build products", page, StringComparison.Ordinal);
        Assert.Contains("file (source-dist)", page, StringComparison.Ordinal);
        Assert.Contains("1.2 KiB", page, StringComparison.Ordinal);
        Assert.Contains("Metrics", page, StringComparison.Ordinal);
        Assert.Contains("12.5", page, StringComparison.Ordinal);
        Assert.Contains("page-1.0", page, StringComparison.Ordinal);
        Assert.DoesNotContain(Evil, page, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_compressed_step_log_is_served_raw_as_a_tail_and_to_nix_log()
    {
        long buildId = 0, stepId = 0;
        var drvPath = "";
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "logs", "main");
            var step = await Seed.StepAsync(db, StepState.Failed, BuildStatus.Failed);
            (stepId, drvPath) = (step.Id, step.DrvPath = $"/nix/store/{new string('b', 32)}-logged-{Guid.NewGuid():N}.drv");
            await db.SaveChangesAsync();
            buildId = (await Seed.BuildAsync(db, jobset, null, "logged", BuildStatus.Failed, step)).Id;
        });
        var logs = factory.Services.GetRequiredService<StepLogStore>();
        var text = string.Concat(Enumerable.Range(1, 1000).Select(i => $"line {i}\n")) + $"error: {Evil}\n";
        Directory.CreateDirectory(Path.GetDirectoryName(logs.PlainPath(stepId))!);
        await File.WriteAllTextAsync(logs.PlainPath(stepId), text);
        await logs.CompressAsync(stepId, CancellationToken.None);
        Assert.False(File.Exists(logs.PlainPath(stepId)));
        var client = factory.CreateClient();

        foreach (var url in new[] { $"/build/{buildId}/log", $"/build/{buildId}/log/raw", $"/build/{buildId}/step/{stepId}/log/raw" })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(text, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal($"line 1000\nerror: {Evil}\n", await client.GetStringAsync($"/build/{buildId}/log/tail?lines=2"));
        Assert.Equal(50, (await client.GetStringAsync($"/build/{buildId}/step/{stepId}/log/tail")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(text, await client.GetStringAsync($"/cache/log/{Path.GetFileName(drvPath)}"));

        // The step runs again (a restart): its new log is appended after the compressed one, and served live.
        await File.WriteAllTextAsync(logs.PlainPath(stepId), "second attempt\n");
        Assert.Equal(text + "second attempt\n", await client.GetStringAsync($"/build/{buildId}/log"));
        Assert.Equal("second attempt\n", await client.GetStringAsync($"/build/{buildId}/log/tail?lines=1"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/cache/log/{new string('c', 32)}-unknown.drv")).StatusCode);
    }

    [Fact]
    public async Task Clearing_the_failure_cache_over_the_api_needs_the_admin_role()
    {
        await InsertFailedDerivationAsync("api");
        var user = await factory.SignedInClientAsync("plain-user", "pw-plain-user");
        var admin = await factory.SignedInClientAsync("cache-admin", "pw-cache-admin", "admin");

        var refused = await user.PostAsync("/api/clear-failed-cache", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.True(await CountFailedDerivationsAsync() > 0);

        var cleared = await admin.PostAsync("/api/clear-failed-cache", null);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.True((await cleared.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cleared").GetInt32() > 0);
        Assert.Equal(0, await CountFailedDerivationsAsync());
    }

    [Fact]
    public async Task Hydra_server_clear_failed_cache_empties_the_failure_cache()
    {
        await InsertFailedDerivationAsync("cli");

        var (exitCode, _, stderr) = await ServerCommand.RunAsync(factory, "clear-failed-cache");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("Cleared", stderr, StringComparison.Ordinal);
        Assert.Equal(0, await CountFailedDerivationsAsync());
    }

    private async Task<long> SeedBuildWithResultsAsync(string job, string evilName = "json.tar.gz")
    {
        long buildId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, $"results-{job}", "main");
            var build = await Seed.BuildAsync(db, jobset, null, job, BuildStatus.Succeeded);
            build.ReleaseName = $"{job}-1.0";
            var output = build.Outputs[0].Path.Replace($"-{job}-1.0", $"-{job}", StringComparison.Ordinal);
            db.Add(new BuildProduct
            {
                BuildId = build.Id, ProductNr = 1, Type = "file", Subtype = "source-dist", Name = evilName,
                Path = $"{output}/{job}.tar.gz", FileSize = 1234, Sha256hash = new string('a', 64),
            });
            db.Add(new BuildProduct { BuildId = build.Id, ProductNr = 2, Type = "doc", Subtype = "manual", Name = "doc", Path = $"{output}/doc", DefaultPath = "index.html" });
            db.Add(new BuildMetric { BuildId = build.Id, Name = "time", Value = 12.5, Unit = "s", JobsetId = jobset.Id, Job = job, Timestamp = Seed.Now });
            await db.SaveChangesAsync();
            buildId = build.Id;
        });
        return buildId;
    }

    private Task InsertFailedDerivationAsync(string name) => factory.WithDbAsync(db =>
        db.Database.ExecuteSqlAsync($"INSERT INTO failed_derivations (drv_path, failed_at) VALUES ({$"/nix/store/{Guid.NewGuid():N}-{name}.drv"}, now())"));

    private async Task<int> CountFailedDerivationsAsync()
    {
        var count = 0;
        await factory.WithDbAsync(async db => count = await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM failed_derivations").SingleAsync());
        return count;
    }
}
