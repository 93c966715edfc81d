using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Core.Processes;
using Hydra.Evaluator.Inputs;
using Hydra.Testing;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests;

public sealed class InputResolverTests
{
    private static InputResolver Resolver(string dataDir) =>
        new(new GitFetcher(new NixProcessRunner(), Options.Create(new HydraOptions { DataDir = dataDir }), Options.Create(new EvaluatorOptions())));

    [Fact]
    public async Task Git_string_and_boolean_inputs_become_expression_arguments()
    {
        using var repository = new GitRepository();
        var revision = repository.Commit("first", ("default.nix", "{ }"));
        var dataDir = Directory.CreateTempSubdirectory("hydra-inputs-").FullName;
        var jobset = new Jobset
        {
            Name = "j", NixExprInput = "src", NixExprPath = "default.nix",
            Inputs =
            [
                new JobsetInput { Name = "src", Type = "git", Value = $"{repository.Url} main" },
                new JobsetInput { Name = "greeting", Type = "string", Value = "hi" },
                new JobsetInput { Name = "fast", Type = "boolean", Value = "true" },
            ],
        };

        var resolved = await Resolver(dataDir).ResolveAsync(jobset, CancellationToken.None);

        Assert.Equal(revision, resolved.Inputs.Single(i => i.Name == "src").Revision);
        Assert.True(File.Exists(Path.Combine(resolved.ExpressionRoot, "default.nix")));
        Assert.Equal("hi", (string?)resolved.Arguments["greeting"]!["value"]);
        Assert.True((bool)resolved.Arguments["fast"]!["value"]!);
    }

    [Fact]
    public async Task A_branch_that_does_not_exist_is_a_clear_input_error()
    {
        using var repository = new GitRepository();
        repository.Commit("first", ("default.nix", "{ }"));
        var jobset = new Jobset
        {
            Name = "j", NixExprInput = "src", NixExprPath = "default.nix",
            Inputs = [new JobsetInput { Name = "src", Type = "git", Value = $"{repository.Url} no-such-branch" }],
        };

        var error = await Assert.ThrowsAsync<InputFetchException>(() =>
            Resolver(Directory.CreateTempSubdirectory("hydra-inputs-").FullName).ResolveAsync(jobset, CancellationToken.None));

        Assert.Contains("no-such-branch", error.Message);
    }
}
