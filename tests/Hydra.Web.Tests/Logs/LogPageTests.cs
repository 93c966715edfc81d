using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data.Entities;
using Hydra.Queue.Logs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Logs;

/// <summary>The log page and its live stream, against the real server and database.</summary>
public sealed class LogPageTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const string Evil = "<script>alert(1)</script>";

    private async Task<(long BuildId, long StepId, StepLogStore Logs)> SeedAsync(string name, StepState state, int? status, string? log)
    {
        long buildId = 0, stepId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, $"logs-{name}", "main");
            var step = await Seed.StepAsync(db, state, status);
            stepId = step.Id;
            buildId = (await Seed.BuildAsync(db, jobset, null, name, state >= StepState.Succeeded ? status : null, step)).Id;
        });
        var logs = factory.Services.GetRequiredService<StepLogStore>();
        if (log is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logs.PlainPath(stepId))!);
            await File.WriteAllTextAsync(logs.PlainPath(stepId), log);
        }
        return (buildId, stepId, logs);
    }

    private HttpClient Browser()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        return client;
    }

    [Fact]
    public async Task A_finished_log_is_rendered_with_line_links_colours_and_the_first_error_escaped()
    {
        var log = $"building\n\e[31m{Evil}\e[0m\nsrc/x.c:1:2: error: {Evil}\nmake: *** [all] Error 1\nno newline at the end";
        var (buildId, stepId, logs) = await SeedAsync("finished", StepState.Failed, BuildStatus.Failed, log);
        await logs.CompressAsync(stepId, CancellationToken.None);

        var page = await Browser().GetStringAsync($"/build/{buildId}/log");

        Assert.Contains($"Log of step {stepId} of build {buildId}", page, StringComparison.Ordinal);
        Assert.Contains("<li id=\"L1\"><a class=\"ln\" href=\"#L1\">1</a>building</li>", page, StringComparison.Ordinal);
        Assert.Contains("<span class=\"ansi-fg-1\">&lt;script&gt;alert(1)&lt;/script&gt;</span>", page, StringComparison.Ordinal);
        Assert.DoesNotContain(Evil, page, StringComparison.Ordinal);
        Assert.DoesNotContain("\e", page, StringComparison.Ordinal);
        Assert.Contains("<li class=\"error\" id=\"L3\">", page, StringComparison.Ordinal);
        Assert.Contains("href=\"#L3\">Jump to the first error (line 3)</a>", page, StringComparison.Ordinal);
        Assert.Contains("no newline at the end</li>", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/build/{buildId}/step/{stepId}/log/raw\"", page, StringComparison.Ordinal);
        // A finished step is not followed: no stream, no script.
        Assert.DoesNotContain("data-stream", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/js/log.js", page, StringComparison.Ordinal);

        // Scripts still get the text.
        var raw = await factory.CreateClient().GetAsync($"/build/{buildId}/log");
        Assert.Equal("text/plain", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal(log, await raw.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_long_log_shows_its_last_lines_with_absolute_numbers()
    {
        var total = Pages.Logs.LogPageModel.MaxLines + 5;
        var log = new StringBuilder("error: early\n");
        for (var i = 2; i <= total; i++)
        {
            log.Append("line ").Append(i).Append('\n');
        }
        var (buildId, stepId, _) = await SeedAsync("long", StepState.Failed, BuildStatus.Failed, log.ToString());

        var page = await Browser().GetStringAsync($"/build/{buildId}/step/{stepId}/log");

        Assert.Contains($"This log has {total} lines; the last {Pages.Logs.LogPageModel.MaxLines} are shown.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"L5\"", page, StringComparison.Ordinal);
        Assert.Contains("id=\"L6\"", page, StringComparison.Ordinal);
        Assert.Contains($"id=\"L{total}\"", page, StringComparison.Ordinal);
        Assert.Contains("First error at line 1, before the lines shown", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_and_missing_logs_say_what_is_going_on()
    {
        var (buildId, stepId, _) = await SeedAsync("empty", StepState.Succeeded, BuildStatus.Succeeded, log: null);
        var (otherBuild, _, _) = await SeedAsync("other", StepState.Succeeded, BuildStatus.Succeeded, log: null);

        var page = await Browser().GetStringAsync($"/build/{buildId}/step/{stepId}/log");
        Assert.Contains("This step wrote no log.", page, StringComparison.Ordinal);
        Assert.Contains("No error lines", page, StringComparison.Ordinal);

        var foreign = await Browser().GetAsync($"/build/{otherBuild}/step/{stepId}/log");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Contains($"Step {stepId} is not part of build {otherBuild}.", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Browser().GetAsync("/build/987654321/log")).StatusCode);
    }

    [Fact]
    public async Task A_running_steps_log_streams_from_where_the_page_ended_until_the_step_finishes()
    {
        var (buildId, stepId, logs) = await SeedAsync("live", StepState.Running, null, "first line\npartial");

        var page = await Browser().GetStringAsync($"/build/{buildId}/log");
        Assert.Contains("The step is running; new lines appear as it writes them.", page, StringComparison.Ordinal);
        Assert.Contains("/js/log.js", page, StringComparison.Ordinal);
        Assert.Contains($"data-stream=\"/build/{buildId}/step/{stepId}/log/stream\"", page, StringComparison.Ordinal);
        // The unfinished line is left for the stream, which starts after "first line\n".
        Assert.Contains("data-offset=\"11\"", page, StringComparison.Ordinal);
        Assert.Contains("data-next-line=\"2\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("partial", page, StringComparison.Ordinal);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/build/{buildId}/step/{stepId}/log/stream?offset=11&line=2");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await factory.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new ServerSentEvents(await response.Content.ReadAsStreamAsync(timeout.Token));

        await File.AppendAllTextAsync(logs.PlainPath(stepId), " line, now whole\n\e[1mbold\e[0m error: " + Evil + "\n");
        var lines = new List<JsonElement>();
        string? lastId = null;
        while (lines.Count < 2)
        {
            var e = await events.NextAsync(timeout.Token);
            Assert.Equal("lines", e.Name);
            lines.AddRange(JsonDocument.Parse(e.Data).RootElement.GetProperty("lines").EnumerateArray());
            lastId = e.Id;
        }
        Assert.Equal(2, lines[0].GetProperty("n").GetInt32());
        Assert.Equal("partial line, now whole", lines[0].GetProperty("s")[0].GetProperty("t").GetString());
        Assert.Equal(3, lines[1].GetProperty("n").GetInt32());
        Assert.Equal("ansi-bold", lines[1].GetProperty("s")[0].GetProperty("c").GetString());
        Assert.Equal($" error: {Evil}", lines[1].GetProperty("s")[1].GetProperty("t").GetString());
        Assert.True(lines[1].GetProperty("e").GetBoolean());
        var fileLength = new FileInfo(logs.PlainPath(stepId)).Length;
        Assert.Equal($"{fileLength}:4", lastId);

        // The step ends and its log is compressed: the stream says so and closes.
        await File.AppendAllTextAsync(logs.PlainPath(stepId), "last words");
        await factory.WithDbAsync(async db =>
        {
            await db.Steps.Where(s => s.Id == stepId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.State, StepState.Succeeded).SetProperty(x => x.Status, BuildStatus.Succeeded));
        });
        await logs.CompressAsync(stepId, CancellationToken.None);
        var next = await events.NextAsync(timeout.Token);
        if (next.Name == "lines")
        {
            Assert.Equal("last words", JsonDocument.Parse(next.Data).RootElement.GetProperty("lines")[0].GetProperty("s")[0].GetProperty("t").GetString());
            next = await events.NextAsync(timeout.Token);
        }
        Assert.Equal("end", next.Name);
        Assert.Equal("Succeeded", JsonDocument.Parse(next.Data).RootElement.GetProperty("status").GetString());
        Assert.Null(await events.NextOrEndAsync(timeout.Token));

        // A reconnecting browser sends Last-Event-ID and gets only what it had not seen.
        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/build/{buildId}/step/{stepId}/log/stream");
        resume.Headers.Add("Last-Event-ID", lastId);
        using var resumed = await factory.CreateClient().SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var resumedEvents = new ServerSentEvents(await resumed.Content.ReadAsStreamAsync(timeout.Token));
        var tail = await resumedEvents.NextAsync(timeout.Token);
        Assert.Equal("lines", tail.Name);
        var tailLine = JsonDocument.Parse(tail.Data).RootElement.GetProperty("lines").EnumerateArray().Single();
        Assert.Equal(4, tailLine.GetProperty("n").GetInt32());
        Assert.Equal("end", (await resumedEvents.NextAsync(timeout.Token)).Name);
    }

    /// <summary>A minimal text/event-stream reader: id, event and data fields; comments and retry skipped.</summary>
    private sealed class ServerSentEvents(Stream stream) : IDisposable
    {
        private readonly StreamReader _reader = new(stream, Encoding.UTF8);

        public async Task<(string Name, string Data, string? Id)> NextAsync(CancellationToken cancellationToken) =>
            await NextOrEndAsync(cancellationToken) ?? throw new InvalidOperationException("The stream ended.");

        public async Task<(string Name, string Data, string? Id)?> NextOrEndAsync(CancellationToken cancellationToken)
        {
            string? name = null, id = null;
            var data = new StringBuilder();
            while (await _reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (line.Length == 0)
                {
                    if (name is not null || data.Length > 0)
                    {
                        return (name ?? "message", data.ToString(), id);
                    }
                    continue;
                }
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
                switch (field)
                {
                    case "event": name = value; break;
                    case "data": data.Append(value); break;
                    case "id": id = value; break;
                }
            }
            return null;
        }

        public void Dispose() => _reader.Dispose();
    }
}
