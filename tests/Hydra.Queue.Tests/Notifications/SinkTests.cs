using System.Text.Json;
using System.Text.Json.Nodes;
using Hydra.Core;
using Hydra.Core.Notifications;
using Hydra.Core.Protocol;

namespace Hydra.Queue.Tests.Notifications;

/// <summary>Each sink against a local receiver: an SMTP server, HTTP receivers, a real shell command.</summary>
public sealed class SinkTests
{
    [Fact]
    public async Task Email_goes_to_the_jobset_override_when_the_status_changes_only()
    {
        await using var smtp = new FakeSmtpServer();
        await using var harness = await NotificationHarness.CreateAsync(o =>
        {
            o.Smtp.Host = "127.0.0.1";
            o.Smtp.Port = smtp.Port;
            o.Smtp.From = "hydra@farm.test";
        });
        await harness.Queue.ExecuteAsync("UPDATE jobsets SET email_override = 'team@example.org, lead@example.org' WHERE name = 'j'");
        await harness.AddSinkAsync(NotificationSinkKinds.Email, []);

        // First build fails (mail), second fails again (no mail), third succeeds (mail).
        foreach (var outcome in new[] { StepOutcome.Failed, StepOutcome.Failed, StepOutcome.Succeeded })
        {
            await harness.AddBuildAsync("mailed", maintainers: "someone@example.org");
            await harness.BuildNextAsync(outcome);
            await harness.DeliverAsync();
        }

        Assert.True(smtp.Messages.Count == 2, string.Join("\n----\n", smtp.Messages.Select(m => m.Data)));
        var first = smtp.Messages.First();
        Assert.Equal("hydra@farm.test", first.From);
        Assert.Equal(["team@example.org", "lead@example.org"], first.To);
        Assert.Matches(@"^Hydra build \d+ of p:j:mailed: Failed$", first.Subject);
        Assert.Contains("Status:  Failed", first.Body);
        Assert.Contains("https://hydra.test/build/", first.Body);
        Assert.EndsWith("p:j:mailed: Succeeded (was Failed)", smtp.Messages.Last().Subject);
        var notes = await harness.RowsAsync("SELECT state, note FROM notification_deliveries ORDER BY id");
        Assert.Equal([(short)1, "Status unchanged."], notes[1]);
    }

    [Fact]
    public async Task Email_without_override_goes_to_the_maintainers()
    {
        await using var smtp = new FakeSmtpServer();
        await using var harness = await NotificationHarness.CreateAsync(o => (o.Smtp.Host, o.Smtp.Port) = ("127.0.0.1", smtp.Port));
        await harness.AddSinkAsync(NotificationSinkKinds.Email, []);
        await harness.AddBuildAsync("owned", maintainers: "alice@example.org,bob@example.org");
        await harness.BuildNextAsync(StepOutcome.Failed);

        await harness.DeliverAsync();

        Assert.Equal(["alice@example.org", "bob@example.org"], Assert.Single(smtp.Messages).To);
    }

    [Fact]
    public async Task Slack_and_Matrix_get_a_message_with_a_link_to_the_build()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.Slack, new JsonObject { ["url"] = receiver.Url + "/slack/T1/B2" });
        await harness.AddSinkAsync(NotificationSinkKinds.Matrix, new JsonObject
        {
            ["homeserver"] = receiver.Url, ["room"] = "!room:matrix.test", ["token"] = "mx-token",
        });
        var (_, build) = await harness.AddBuildAsync("chatty");
        await harness.BuildNextAsync(StepOutcome.Failed);

        Assert.Equal(2, await harness.DeliverAsync());

        var slack = receiver.Requests.Single(r => r.Path.StartsWith("/slack", StringComparison.Ordinal));
        Assert.Equal("POST", slack.Method);
        Assert.Equal($"<https://hydra.test/build/{build}|Hydra build {build} of p:j:chatty: Failed>", slack.Json.GetProperty("text").GetString());
        var matrix = receiver.Requests.Single(r => r.Path.StartsWith("/_matrix", StringComparison.Ordinal));
        Assert.Equal("PUT", matrix.Method);
        var delivery = await harness.ScalarAsync<long>("SELECT d.id FROM notification_deliveries d JOIN notification_sinks s ON s.id = d.sink_id WHERE s.kind = 'matrix'");
        Assert.Equal($"/_matrix/client/v3/rooms/%21room%3Amatrix.test/send/m.room.message/hydra-{delivery}", matrix.Path);
        Assert.Equal("Bearer mx-token", matrix.Header("Authorization"));
        Assert.Equal("m.text", matrix.Json.GetProperty("msgtype").GetString());
        Assert.Contains($"https://hydra.test/build/{build}", matrix.Json.GetProperty("body").GetString());
    }

    [Fact]
    public async Task RunCommand_gets_the_build_as_HYDRA_JSON_and_its_output_is_kept()
    {
        await using var harness = await NotificationHarness.CreateAsync();
        await harness.AddSinkAsync(NotificationSinkKinds.RunCommand, new JsonObject { ["command"] = "cat \"$HYDRA_JSON\"; echo; echo deployed >&2" }, jobs: "deploy*");
        await harness.AddSinkAsync(NotificationSinkKinds.RunCommand, new JsonObject { ["command"] = "echo refusing; exit 3" }, jobs: "deploy-broken");
        var (_, build) = await harness.AddBuildAsync("deploy-web");
        await harness.Queue.ExecuteAsync($"INSERT INTO build_outputs (build_id, name, path) VALUES ({build}, 'out', '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-web')");
        var (_, broken) = await harness.AddBuildAsync("deploy-broken");
        await harness.AddBuildAsync("not-deployed");
        await harness.BuildNextAsync(StepOutcome.Succeeded);
        await harness.BuildNextAsync(StepOutcome.Succeeded);
        await harness.BuildNextAsync(StepOutcome.Succeeded);

        await harness.DeliverAsync();

        var logs = await harness.RowsAsync("SELECT build_id, exit_code, output FROM run_command_logs ORDER BY build_id, id");
        Assert.Equal(3, logs.Count);
        var (json, stderr) = SplitOutput((string)logs[0][2]);
        Assert.Equal(build, logs[0][0]);
        Assert.Equal(0, logs[0][1]);
        Assert.Equal("deployed", stderr);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        Assert.Equal("buildFinished", root.GetProperty("event").GetString());
        Assert.Equal(build, root.GetProperty("build").GetInt64());
        Assert.Equal("p", root.GetProperty("project").GetString());
        Assert.Equal("deploy-web", root.GetProperty("job").GetString());
        Assert.Equal(BuildStatus.Succeeded, root.GetProperty("buildStatus").GetInt32());
        Assert.Equal("/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-web", root.GetProperty("outputs")[0].GetProperty("path").GetString());
        // The failing command is a failed delivery (listed for the admin), with its output kept.
        Assert.Contains(logs, l => (long)l[0] == broken && (int)l[1] == 3 && (string)l[2] == "refusing\n");
        var failed = Assert.Single(await harness.Deliveries.ListAsync("failed", null, null, null, 10, CancellationToken.None));
        Assert.Equal("The command exited with 3.", failed.LastError);
        Assert.Equal(broken, failed.BuildId);
    }

    /// <summary>The command printed the JSON, a newline, then "deployed" on stderr (order between the two streams may vary).</summary>
    private static (string Json, string Stderr) SplitOutput(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (lines.Single(l => l.StartsWith('{')), lines.Single(l => !l.StartsWith('{')));
    }
}
