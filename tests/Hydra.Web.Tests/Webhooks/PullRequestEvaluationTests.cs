using System.Net;
using System.Net.Http.Json;
using Hydra.Evaluator.Forges;
using Hydra.Evaluator.Jobsets;
using Hydra.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Hydra.Web.Tests.Webhooks.WebhookRequests;

namespace Hydra.Web.Tests.Webhooks;

/// <summary>
/// A real git repository whose pull request lives only at <c>refs/pull/5/head</c>: the pull-request webhook makes
/// a jobset, and the evaluator (real git, real Nix) evaluates the pull request's head, not the branch.
/// </summary>
public sealed class PullRequestEvaluationTests : IClassFixture<HydraWebFactory>, IDisposable
{
    private readonly HydraWebFactory _factory;
    private readonly WebApplicationFactory<Program> _server;
    private readonly GitRepository _repository = new();

    public PullRequestEvaluationTests(HydraWebFactory factory)
    {
        NixTestEnvironment.Apply();
        _factory = factory;
        _server = factory.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in Settings)
            {
                builder.UseSetting(key, value);
            }
        });
    }

    public void Dispose()
    {
        _server.Dispose();
        _repository.Dispose();
    }

    private static (string, string) Release(string job) =>
        ("release.nix", $"{{ src }}: {{\n{NixTestEnvironment.Derivation(job, "echo hi > $out", Guid.NewGuid().ToString("N"))}\n}}");

    private async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = _server.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_pull_request_jobset_evaluates_the_head_of_the_pull_request()
    {
        var mainRevision = _repository.Commit("main", Release("mainjob"));
        _repository.Run("checkout", "--quiet", "-b", "feature");
        var pullRevision = _repository.Commit("the pull request", Release("prjob"));
        _repository.Run("update-ref", "refs/pull/5/head", pullRevision);
        _repository.Run("checkout", "--quiet", "main");
        _repository.Run("branch", "--quiet", "-D", "feature");
        await _factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, "real", "main", $"{_repository.Url} main",
            inputs: [("prs", PullRequestSource.InputType, "github acme/real src")]));

        var response = await _server.CreateClient().SendAsync(GitHub("pull_request", PullRequest("acme/real", 5, pullRevision)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("real:main-pr-5", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var runner = _server.Services.GetRequiredService<EvaluationRunner>();
        var results = new Dictionary<string, (string Revision, string Jobs)>();
        foreach (var jobset in new[] { "main-pr-5", "main" })
        {
            // Claimed as the scheduler claims it.
            var id = await ScalarAsync<long>(
                "UPDATE jobsets SET eval_started_at = now(), eval_phase = 'starting', eval_phase_since = now() WHERE name = $1 RETURNING id", jobset);
            Assert.Equal(EvaluationOutcome.Evaluated, await runner.RunAsync(id, CancellationToken.None));
            results[jobset] = (
                await ScalarAsync<string>(
                    "SELECT i.revision FROM evaluations e JOIN evaluation_inputs i ON i.evaluation_id = e.id AND i.name = 'src' WHERE e.jobset_id = $1", id),
                await ScalarAsync<string>("SELECT string_agg(job, ',' ORDER BY job) FROM builds WHERE jobset_id = $1", id));
        }

        Assert.Equal((pullRevision, "prjob"), results["main-pr-5"]);
        Assert.Equal((mainRevision, "mainjob"), results["main"]);
    }
}
