using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hydra.Web.Tests.Api;

/// <summary>
/// Every operation of hydra-api.yaml, called on the real server over a seeded farm: the status must be one
/// the spec documents for the operation, and the body must conform to that response's schema.
/// </summary>
public sealed class ApiConformanceTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private sealed record Call(string SpecPath, string Method, HttpMethod HttpMethod, string Url, int Status, object? Body = null, bool SignedIn = false);

    [Fact]
    public async Task Every_documented_operation_answers_with_a_documented_status_and_shape()
    {
        ApiWorld world = null!;
        await factory.WithDbAsync(async db => world = await ApiWorld.SeedAsync(db));
        var admin = await factory.SignedInClientAsync("conformance", "pw", "admin");
        var jobset = new { nixexprinput = "src", nixexprpath = "release.nix", enabled = 1, visible = true, inputs = new { src = new { type = "string", value = "x" } } };
        Call[] calls =
        [
            new("/login", "post", HttpMethod.Post, "/login", 200, new { username = "conformance", password = "pw" }),
            new("/login", "post", HttpMethod.Post, "/login", 403, new { username = "conformance", password = "wrong" }),
            new("/", "get", HttpMethod.Get, "/", 200),
            new("/api/push", "post", HttpMethod.Post, $"/api/push?jobsets={ApiWorld.Project}:{ApiWorld.Jobset}", 200, SignedIn: true),
            new("/api/jobsets", "get", HttpMethod.Get, $"/api/jobsets?project={ApiWorld.Project}", 200),
            new("/api/jobsets", "get", HttpMethod.Get, "/api/jobsets?project=nope", 404),
            new("/search", "get", HttpMethod.Get, "/search?query=hello", 200),
            new("/project/{id}", "put", HttpMethod.Put, "/project/made", 201, new { displayname = "Made", enabled = true, visible = true }, SignedIn: true),
            new("/project/{id}", "put", HttpMethod.Put, "/project/made", 200, new { displayname = "Made again", enabled = true, visible = true }, SignedIn: true),
            new("/project/{id}", "put", HttpMethod.Put, "/project/made", 403, new { displayname = "Not signed in" }),
            new("/project/{id}", "put", HttpMethod.Put, "/project/bad name", 400, new { displayname = "Bad" }, SignedIn: true),
            new("/project/{id}", "get", HttpMethod.Get, $"/project/{ApiWorld.Project}", 200),
            new("/project/{id}", "get", HttpMethod.Get, "/project/nope", 404),
            new("/jobset/{project-id}/{jobset-id}", "put", HttpMethod.Put, "/jobset/made/trunk", 201, jobset, SignedIn: true),
            new("/jobset/{project-id}/{jobset-id}", "put", HttpMethod.Put, "/jobset/made/trunk", 200, jobset, SignedIn: true),
            new("/jobset/{project-id}/{jobset-id}", "get", HttpMethod.Get, $"/jobset/{ApiWorld.Project}/{ApiWorld.Jobset}", 200),
            new("/jobset/{project-id}/{jobset-id}", "get", HttpMethod.Get, "/jobset/made/nope", 404),
            new("/jobset/{project-id}/{jobset-id}", "delete", HttpMethod.Delete, "/jobset/made/trunk", 200, SignedIn: true),
            new("/jobset/{project-id}/{jobset-id}", "delete", HttpMethod.Delete, "/jobset/made/trunk", 404, SignedIn: true),
            new("/project/{id}", "delete", HttpMethod.Delete, "/project/made", 200, SignedIn: true),
            new("/project/{id}", "delete", HttpMethod.Delete, "/project/made", 404, SignedIn: true),
            new("/jobset/{project-id}/{jobset-id}/evals", "get", HttpMethod.Get, $"/jobset/{ApiWorld.Project}/{ApiWorld.Jobset}/evals", 200),
            new("/jobset/{project-id}/{jobset-id}/evals", "get", HttpMethod.Get, $"/jobset/{ApiWorld.Project}/nope/evals", 404),
            new("/job/{project-id}/{jobset-id}/{job-id}/shield", "get", HttpMethod.Get, $"/job/{ApiWorld.Project}/{ApiWorld.Jobset}/hello/shield", 200),
            new("/build/{build-id}", "get", HttpMethod.Get, $"/build/{world.HelloId}", 200),
            new("/build/{build-id}", "get", HttpMethod.Get, $"/build/{world.PendingId}", 200),
            new("/build/{build-id}", "get", HttpMethod.Get, "/build/987654321", 404),
            new("/build/{build-id}/constituents", "get", HttpMethod.Get, $"/build/{world.ReleaseId}/constituents", 200),
            new("/build/{build-id}/constituents", "get", HttpMethod.Get, "/build/987654321/constituents", 404),
            new("/eval/{eval-id}", "get", HttpMethod.Get, $"/eval/{world.EvalId}", 200),
            new("/eval/{eval-id}/builds", "get", HttpMethod.Get, $"/eval/{world.EvalId}/builds", 200),
            new("/eval/{eval-id}/builds", "get", HttpMethod.Get, $"/eval/{world.PendingEvalId}/builds", 200),
            new("/jobset/{project-id}/{jobset-id}/latest-eval", "get", HttpMethod.Get, $"/jobset/{ApiWorld.Project}/{ApiWorld.Jobset}/latest-eval", 302),
            new("/job/{project-id}/{jobset-id}/{job-id}/latest", "get", HttpMethod.Get, $"/job/{ApiWorld.Project}/{ApiWorld.Jobset}/hello/latest", 302),
            new("/job/{project-id}/{jobset-id}/{job-id}/latest-for/{system}", "get", HttpMethod.Get, $"/job/{ApiWorld.Project}/{ApiWorld.Jobset}/hello/latest-for/x86_64-linux", 302),
            new("/job/{project-id}/{jobset-id}/{job-id}/latest-finished", "get", HttpMethod.Get, $"/job/{ApiWorld.Project}/{ApiWorld.Jobset}/hello/latest-finished", 302),
        ];

        var untested = ApiSpec.Operations.Except(calls.Select(c => (c.SpecPath, c.Method))).ToList();
        Assert.True(untested.Count == 0, "Operations of hydra-api.yaml without a call here: " + string.Join(", ", untested));

        var problems = new List<string>();
        foreach (var call in calls)
        {
            using var request = new HttpRequestMessage(call.HttpMethod, call.Url);
            request.Headers.Add("Accept", "application/json");
            if (call.Body is not null)
            {
                request.Content = JsonContent.Create(call.Body);
            }
            // A fresh client per anonymous call, so the login call's cookie signs in nothing else.
            using var anonymous = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            anonymous.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
            using var response = await (call.SignedIn ? admin : anonymous).SendAsync(request);
            problems.AddRange((await CheckAsync(call, response)).Select(p => $"{call.Method.ToUpperInvariant()} {call.Url} -> {(int)response.StatusCode}: {p}"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task<List<string>> CheckAsync(Call call, HttpResponseMessage response)
    {
        var problems = new List<string>();
        var status = (int)response.StatusCode;
        if (status != call.Status)
        {
            problems.Add($"expected {call.Status}; body {Shorten(await response.Content.ReadAsStringAsync())}");
            return problems;
        }
        var documented = ApiSpec.Document["paths"]![call.SpecPath]![call.Method]!["responses"]!.AsObject();
        if (!documented.ContainsKey(status.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            problems.Add($"the spec does not document status {status} here");
        }
        if (!response.Headers.Vary.Contains("Accept"))
        {
            problems.Add("no Vary: Accept");
        }
        if (status is >= 300 and < 400)
        {
            if (response.Headers.Location is null)
            {
                problems.Add("a redirect without Location");
            }
            return problems;
        }
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            problems.Add($"Content-Type {response.Content.Headers.ContentType}");
            return problems;
        }
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        if (ApiSpec.ResponseSchema(call.SpecPath, call.Method, status) is { } schema)
        {
            problems.AddRange(ApiSpec.Validator.Validate(body, schema));
        }
        return problems;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
