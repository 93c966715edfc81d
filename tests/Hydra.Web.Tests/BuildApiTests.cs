using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Tests;

public sealed class BuildApiTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Queued_build_json_has_null_status_and_finished_0()
    {
        long buildId = 0, evalId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "queued", "main");
            var eval = await Seed.EvalAsync(db, jobset);
            evalId = eval.Id;
            buildId = (await Seed.BuildAsync(db, jobset, eval, "hello")).Id;
        });

        var build = await factory.JsonClient().GetFromJsonAsync<JsonElement>($"/build/{buildId}");

        Assert.Equal(buildId, build.GetProperty("id").GetInt64());
        Assert.Equal("hello", build.GetProperty("job").GetString());
        Assert.Equal("hello-1.0", build.GetProperty("nixname").GetString());
        Assert.Equal("queued", build.GetProperty("project").GetString());
        Assert.Equal("main", build.GetProperty("jobset").GetString());
        Assert.Equal("x86_64-linux", build.GetProperty("system").GetString());
        Assert.EndsWith("-hello-1.0.drv", build.GetProperty("drvpath").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, build.GetProperty("finished").GetInt32());
        Assert.Equal(JsonValueKind.Null, build.GetProperty("buildstatus").ValueKind);
        Assert.Equal(JsonValueKind.Null, build.GetProperty("starttime").ValueKind);
        Assert.Equal(Seed.Now.AddMinutes(-5).ToUnixTimeSeconds(), build.GetProperty("timestamp").GetInt64());
        Assert.Equal(100, build.GetProperty("priority").GetInt32());
        Assert.Equal(0, build.GetProperty("iscachedbuild").GetInt32());
        Assert.Equal([evalId], build.GetProperty("jobsetevals").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(JsonValueKind.Object, build.GetProperty("buildoutputs").ValueKind);
        Assert.Equal(JsonValueKind.Object, build.GetProperty("buildmetrics").ValueKind);
        Assert.Equal(JsonValueKind.Object, build.GetProperty("buildproducts").ValueKind);
    }

    [Fact]
    public async Task Finished_build_and_its_eval_in_hydra_shapes()
    {
        long buildId = 0, evalId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "done", "main");
            var eval = await Seed.EvalAsync(db, jobset);
            evalId = eval.Id;
            buildId = (await Seed.BuildAsync(db, jobset, eval, "hello", BuildStatus.Succeeded)).Id;
        });
        var client = factory.JsonClient();

        var build = await client.GetFromJsonAsync<JsonElement>($"/build/{buildId}");
        Assert.Equal(1, build.GetProperty("finished").GetInt32());
        Assert.Equal(0, build.GetProperty("buildstatus").GetInt32());
        Assert.StartsWith("/nix/store/", build.GetProperty("buildoutputs").GetProperty("out").GetProperty("path").GetString(), StringComparison.Ordinal);

        var eval = await client.GetFromJsonAsync<JsonElement>($"/eval/{evalId}");
        Assert.Equal(evalId, eval.GetProperty("id").GetInt64());
        Assert.Equal([buildId], eval.GetProperty("builds").EnumerateArray().Select(b => b.GetInt64()));
        Assert.Equal(1, eval.GetProperty("hasnewbuilds").GetInt32());
        Assert.Equal(1, eval.GetProperty("checkouttime").GetInt64());
        Assert.Equal(3, eval.GetProperty("evaltime").GetInt64());
        var src = eval.GetProperty("jobsetevalinputs").GetProperty("src");
        Assert.Equal("git", src.GetProperty("type").GetString());
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", src.GetProperty("revision").GetString());
        Assert.Equal("https://example.org/repo.git", src.GetProperty("uri").GetString());

        var builds = await client.GetFromJsonAsync<JsonElement>($"/eval/{evalId}/builds");
        Assert.Equal(buildId, Assert.Single(builds.EnumerateArray()).GetProperty("id").GetInt64());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/build/999999")).StatusCode);
    }

    [Fact]
    public async Task Evals_are_paginated_20_per_page_newest_first_without_evals_lacking_new_builds()
    {
        var ids = new List<long>();
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "paged", "main");
            for (var i = 0; i < 25; i++)
            {
                ids.Add((await Seed.EvalAsync(db, jobset)).Id);
            }
            await Seed.EvalAsync(db, jobset, hasNewBuilds: false);
        });
        var client = factory.JsonClient();

        var first = await client.GetFromJsonAsync<JsonElement>("/jobset/paged/main/evals");
        Assert.Equal(20, first.GetProperty("evals").GetArrayLength());
        Assert.Equal(ids[^1], first.GetProperty("evals")[0].GetProperty("id").GetInt64());
        Assert.Equal("?page=1", first.GetProperty("first").GetString());
        Assert.Equal("?page=2", first.GetProperty("next").GetString());
        Assert.Equal("?page=2", first.GetProperty("last").GetString());

        var second = await client.GetFromJsonAsync<JsonElement>("/jobset/paged/main/evals?page=2");
        Assert.Equal(ids.Take(5).Reverse(), second.GetProperty("evals").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        Assert.False(second.TryGetProperty("next", out _));
        Assert.Equal("?page=1", second.GetProperty("previous").GetString());
    }

    [Fact]
    public async Task Raw_log_endpoints_serve_the_step_log_file_or_404()
    {
        long buildId = 0, stepId = 0, quietBuild = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "logs", "main");
            var step = await Seed.StepAsync(db, StepState.Failed, BuildStatus.Failed);
            stepId = step.Id;
            buildId = (await Seed.BuildAsync(db, jobset, null, "noisy", BuildStatus.Failed, step)).Id;
            quietBuild = (await Seed.BuildAsync(db, jobset, null, "quiet", null, await Seed.StepAsync(db, StepState.Runnable))).Id;
        });
        var path = factory.Services.GetRequiredService<IOptions<HydraOptions>>().Value.StepLogPath(stepId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "building\nerror: <boom>\n");
        var client = factory.CreateClient();

        var log = await client.GetAsync($"/build/{buildId}/log");
        Assert.Equal(HttpStatusCode.OK, log.StatusCode);
        Assert.Equal("text/plain", log.Content.Headers.ContentType?.MediaType);
        Assert.Equal("building\nerror: <boom>\n", await log.Content.ReadAsStringAsync());
        Assert.Equal("building\nerror: <boom>\n", await client.GetStringAsync($"/build/{buildId}/step/{stepId}/log"));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/build/{quietBuild}/log")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/build/{quietBuild}/step/{stepId}/log")).StatusCode);
    }
}
