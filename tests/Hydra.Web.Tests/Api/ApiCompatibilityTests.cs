using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core.Data.Entities;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Api;

/// <summary>What Hydra's clients rely on beyond the schemas: where the redirects land, which builds count, the legacy /api calls.</summary>
public sealed class ApiCompatibilityTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const string Job = $"/job/{ApiWorld.Project}/{ApiWorld.Jobset}";

    private HttpClient NoRedirects()
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("Accept", "application/json");
        return client;
    }

    private async Task<string?> LocationAsync(string url, HttpStatusCode status = HttpStatusCode.Found)
    {
        var response = await NoRedirects().GetAsync(url);
        Assert.Equal(status, response.StatusCode);
        return response.Headers.Location?.OriginalString;
    }

    [Fact]
    public async Task Latest_redirects_pick_the_right_build_and_keep_the_rest_of_the_path_and_query()
    {
        var w = await ApiWorld.InAsync(factory);

        Assert.Equal($"/build/{w.NewestHelloId}", await LocationAsync($"{Job}/hello/latest"));
        Assert.Equal($"/build/{w.NewestHelloId}/download/1?x=y", await LocationAsync($"{Job}/hello/latest/download/1?x=y"));
        Assert.Equal($"/build/{w.NewestHelloId}/log/raw", await LocationAsync($"{Job}/hello/latest-for/x86_64-linux/log/raw"));
        // The newest hello's evaluation still has a queued build, so the released one is the one before.
        Assert.Equal($"/build/{w.HelloId}/download/2/README", await LocationAsync($"{Job}/hello/latest-finished/download/2/README"));
        Assert.Equal(HttpStatusCode.NotFound, (await NoRedirects().GetAsync($"{Job}/hello/latest-for/aarch64-linux")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await NoRedirects().GetAsync($"{Job}/broken/latest")).StatusCode);
    }

    [Fact]
    public async Task Evaluation_redirects_land_on_the_finished_evaluation_and_the_jobs_build()
    {
        var w = await ApiWorld.InAsync(factory);

        Assert.Equal($"/eval/{w.EvalId}", await LocationAsync($"/jobset/{ApiWorld.Project}/{ApiWorld.Jobset}/latest-eval"));
        Assert.Equal($"/eval/{w.EvalId}/store-paths", await LocationAsync($"/jobset/{ApiWorld.Project}/{ApiWorld.Jobset}/latest-eval/store-paths"));
        Assert.Equal($"/build/{w.HelloId}/download/1", await LocationAsync($"/eval/{w.EvalId}/job/hello/download/1"));
        Assert.Equal($"/build/{w.OldHelloId}", await LocationAsync($"/eval/{w.OldEvalId}/job/hello"));
        Assert.Equal(HttpStatusCode.NotFound, (await NoRedirects().GetAsync($"/eval/{w.EvalId}/job/nope")).StatusCode);
        Assert.Equal($"/eval/{w.EvalId}", await LocationAsync($"/build/{w.HelloId}/eval"));
        Assert.Equal($"/build/{w.HelloId}/step/{w.HelloSteps[1]}/log/raw", await LocationAsync($"/build/{w.HelloId}/nixlog/2/raw", HttpStatusCode.MovedPermanently));
        Assert.Equal(HttpStatusCode.NotFound, (await NoRedirects().GetAsync($"/build/{w.HelloId}/nixlog/3")).StatusCode);
    }

    [Fact]
    public async Task Store_paths_are_the_outputs_of_succeeded_builds_with_a_nix_build_product()
    {
        var w = await ApiWorld.InAsync(factory);
        string helloOut = "";
        await factory.WithDbAsync(async db => helloOut = await db.BuildOutputs.Where(o => o.BuildId == w.HelloId).Select(o => o.Path).SingleAsync());

        // No Accept header: like Hydra, store-paths is JSON whatever was asked.
        var paths = await factory.CreateClient().GetFromJsonAsync<string[]>($"/eval/{w.EvalId}/store-paths");

        Assert.Equal(new[] { helloOut }, paths);
    }

    [Fact]
    public async Task Constituents_are_the_aggregates_builds_in_build_shape()
    {
        var w = await ApiWorld.InAsync(factory);

        var builds = await factory.JsonClient().GetFromJsonAsync<JsonElement>($"/build/{w.ReleaseId}/constituents");

        Assert.Equal([w.HelloId, w.BrokenId], builds.EnumerateArray().Select(b => b.GetProperty("id").GetInt64()));
        var hello = builds[0];
        Assert.Equal(1234.5, hello.GetProperty("buildmetrics").GetProperty("size").GetProperty("value").GetDouble());
        Assert.Equal("nix-build", hello.GetProperty("buildproducts").GetProperty("1").GetProperty("type").GetString());
        Assert.Equal(64, hello.GetProperty("buildproducts").GetProperty("2").GetProperty("sha256hash").GetString()!.Length);
        Assert.Equal([w.EvalId], hello.GetProperty("jobsetevals").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task Streamed_eval_builds_equal_the_build_json_of_each_build()
    {
        var w = await ApiWorld.InAsync(factory);
        var client = factory.JsonClient();

        var streamed = await client.GetFromJsonAsync<JsonElement>($"/eval/{w.EvalId}/builds");

        Assert.Equal(3, streamed.GetArrayLength());
        foreach (var build in streamed.EnumerateArray())
        {
            var single = await client.GetFromJsonAsync<JsonElement>($"/build/{build.GetProperty("id").GetInt64()}");
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
                System.Text.Json.Nodes.JsonNode.Parse(single.GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(build.GetRawText())),
                $"streamed {build.GetRawText()}\nsingle {single.GetRawText()}");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/eval/987654321/builds")).StatusCode);
    }

    [Fact]
    public async Task Shield_is_the_newest_finished_build_as_a_shields_io_endpoint()
    {
        await ApiWorld.InAsync(factory);
        var client = factory.CreateClient();

        var passing = await client.GetFromJsonAsync<JsonElement>($"{Job}/hello/shield");
        Assert.Equal(1, passing.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("hydra build", passing.GetProperty("label").GetString());
        Assert.Equal("green", passing.GetProperty("color").GetString());
        Assert.Equal("passing", passing.GetProperty("message").GetString());
        var failing = await client.GetFromJsonAsync<JsonElement>($"{Job}/broken/shield");
        Assert.Equal(("red", "failing"), (failing.GetProperty("color").GetString(), failing.GetProperty("message").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{Job}/pending/shield")).StatusCode);
    }

    [Fact]
    public async Task Legacy_api_calls_answer_hydras_shapes()
    {
        var w = await ApiWorld.InAsync(factory);
        var client = factory.CreateClient();

        var jobsets = await client.GetFromJsonAsync<JsonElement>($"/api/jobsets?project={ApiWorld.Project}");
        var main = Assert.Single(jobsets.EnumerateArray());
        Assert.Equal((3, 2, 1, 0), (main.GetProperty("nrtotal").GetInt32(), main.GetProperty("nrsucceeded").GetInt32(),
            main.GetProperty("nrfailed").GetInt32(), main.GetProperty("nrscheduled").GetInt32()));
        Assert.False(main.GetProperty("haserrormsg").GetBoolean());

        var queue = await client.GetFromJsonAsync<JsonElement>("/api/queue?nr=10");
        var queued = Assert.Single(queue.EnumerateArray());
        Assert.Equal(w.PendingId, queued.GetProperty("id").GetInt64());
        Assert.Equal(100, queued.GetProperty("priority").GetInt32());
        Assert.False(queued.TryGetProperty("buildstatus", out _));
        Assert.Equal("1", await client.GetStringAsync("/api/nrqueue"));

        var latest = await client.GetFromJsonAsync<JsonElement>($"/api/latestbuilds?nr=2&project={ApiWorld.Project}&job=hello");
        Assert.Equal([w.NewestHelloId, w.HelloId], latest.EnumerateArray().Select(b => b.GetProperty("id").GetInt64()));
        Assert.Equal(0, latest[0].GetProperty("buildstatus").GetInt32());
        Assert.Equal(1, latest[0].GetProperty("finished").GetInt32());

        // Every finished build was queued at the same moment: one period holding all five.
        var hourly = await client.GetFromJsonAsync<int[]>("/api/nrbuilds?nr=10&period=hour");
        Assert.Equal(new[] { 5 }, hourly);
        var daily = await client.GetFromJsonAsync<int[]>("/api/nrbuilds?nr=10&period=day&job=hello");
        Assert.Equal(new[] { 3 }, daily);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/nrbuilds?nr=3&period=week")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/jobsets")).StatusCode);
    }

    [Fact]
    public async Task Jobset_evals_are_paged_twenty_at_a_time_with_hydras_links()
    {
        long jobsetId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "paged", "main");
            jobsetId = jobset.Id;
            for (var i = 0; i < 45; i++)
            {
                await Seed.EvalAsync(db, jobset);
            }
            await Seed.EvalAsync(db, jobset, hasNewBuilds: false);
        });
        var client = factory.JsonClient();

        var first = await client.GetFromJsonAsync<JsonElement>("/jobset/paged/main/evals");
        Assert.Equal(20, first.GetProperty("evals").GetArrayLength());
        Assert.Equal(("?page=1", "?page=2", "?page=3"), (first.GetProperty("first").GetString(), first.GetProperty("next").GetString(), first.GetProperty("last").GetString()));
        Assert.False(first.TryGetProperty("previous", out _));

        var last = await client.GetFromJsonAsync<JsonElement>("/jobset/paged/main/evals?page=3");
        Assert.Equal(5, last.GetProperty("evals").GetArrayLength());
        Assert.Equal("?page=2", last.GetProperty("previous").GetString());
        Assert.False(last.TryGetProperty("next", out _));

        var ids = new List<long>();
        for (var page = 1; page <= 3; page++)
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"/jobset/paged/main/evals?page={page}");
            ids.AddRange(body.GetProperty("evals").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        }
        Assert.Equal(45, ids.Distinct().Count());
        Assert.Equal(ids.OrderByDescending(i => i), ids);
    }

    [Fact]
    public async Task Json_is_chosen_by_accept_or_by_the_request_content_type_and_html_is_the_default()
    {
        var w = await ApiWorld.InAsync(factory);
        var client = factory.CreateClient();

        var html = await client.GetAsync($"/build/{w.HelloId}");
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", html.Headers.Vary);

        // hydra-cli sends Content-Type: application/json on its GETs and no Accept.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/build/{w.HelloId}") { Content = new StringContent("", System.Text.Encoding.UTF8, "application/json") };
        var json = await client.SendAsync(request);
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", json.Headers.Vary);
    }
}
