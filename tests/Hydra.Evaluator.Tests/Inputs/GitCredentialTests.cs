using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Inputs;

namespace Hydra.Evaluator.Tests.Inputs;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GitCredentialTests
{
    private const string Token = "ghp_s3cr3t-t0ken-value";
    private const string Key = "-----BEGIN OPENSSH PRIVATE KEY-----\nkey-material\n-----END OPENSSH PRIVATE KEY-----";

    [Fact]
    public async Task A_token_reaches_git_as_a_host_scoped_header_in_the_environment_never_in_arguments()
    {
        var runner = new RecordingRunner();
        using var harness = new InputsHarness(runner: runner);

        await harness.Git.FetchAsync("https://git.example.org/team/private.git main", new GitCredential(InputSecret.Token, Token), CancellationToken.None);

        Assert.NotEmpty(runner.Requests);
        Assert.All(runner.Requests, r => Assert.DoesNotContain(r.Arguments, a => a.Contains(Token, StringComparison.Ordinal)));
        var fetch = runner.Requests.Single(r => r.Arguments.Contains("fetch"));
        var count = int.Parse(fetch.Environment["GIT_CONFIG_COUNT"], System.Globalization.CultureInfo.InvariantCulture);
        var config = Enumerable.Range(0, count).ToDictionary(i => fetch.Environment[$"GIT_CONFIG_KEY_{i}"], i => fetch.Environment[$"GIT_CONFIG_VALUE_{i}"]);
        Assert.Equal($"Authorization: Bearer {Token}", config["http.https://git.example.org/.extraHeader"]);
    }

    [Fact]
    public async Task An_ssh_key_is_passed_as_an_owner_only_file_that_is_removed_afterwards()
    {
        var runner = new RecordingRunner();
        using var harness = new InputsHarness(runner: runner);

        await harness.Git.FetchAsync("ssh://git@git.example.org/team/private.git", new GitCredential(InputSecret.SshKey, Key), CancellationToken.None);

        Assert.All(runner.Requests, r => Assert.DoesNotContain(r.Arguments, a => a.Contains("key-material", StringComparison.Ordinal)));
        var (path, mode, content) = runner.KeyFiles.First();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(Key + "\n", content);
        Assert.Contains("IdentitiesOnly=yes", runner.Requests[0].Environment["GIT_SSH_COMMAND"]);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_failed_fetch_names_the_url_but_not_the_token()
    {
        var runner = new RecordingRunner { FailWith = $"fatal: unable to access 'https://x:{Token}@git.example.org/team/private.git/': 403 (header Bearer {Token})" };
        using var harness = new InputsHarness(runner: runner);

        var error = await Assert.ThrowsAsync<InputFetchException>(() =>
            harness.Git.FetchAsync("https://git.example.org/team/private.git", new GitCredential(InputSecret.Token, Token), CancellationToken.None));

        Assert.Contains("https://git.example.org/team/private.git", error.Message);
        Assert.DoesNotContain(Token, error.Message);
    }

    [Fact]
    public async Task A_password_written_into_the_url_is_hidden_in_errors()
    {
        var runner = new RecordingRunner { FailWith = "fatal: repository not found" };
        using var harness = new InputsHarness(runner: runner);

        var error = await Assert.ThrowsAsync<InputFetchException>(() =>
            harness.Git.FetchAsync("https://bot:hunter2@git.example.org/r.git", null, CancellationToken.None));

        Assert.Contains("https://bot:***@git.example.org/r.git", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }
}
