using System.Net;
using System.Net.Http.Json;
using Hydra.Web.Auth;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests;

public sealed class EvaluateButtonTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private Task<HttpClient> ClientAsync(string user, params string[] roles) => FormPosts.ClientAsync(factory, user, roles);

    private static string Token(string html) => FormPosts.Token(html);

    private static FormUrlEncodedContent Form(string token, bool force) => force ? FormPosts.Form(token, ("force", "1")) : FormPosts.Form(token);

    private async Task<(DateTimeOffset? Trigger, bool Force)> TriggerOfAsync(string project)
    {
        (DateTimeOffset?, bool) result = default;
        await factory.WithDbAsync(async db => result = await db.Jobsets.Where(j => j.Project!.Name == project)
            .Select(j => new ValueTuple<DateTimeOffset?, bool>(j.TriggerTime, j.ForceEval)).SingleAsync());
        return result;
    }

    [Fact]
    public async Task The_project_owner_evaluates_from_the_jobset_page_form_and_is_sent_back()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "owned", "main"));
        var alice = await ClientAsync("alice");
        var page = await alice.GetStringAsync("/jobset/owned/main");
        Assert.Contains("action=\"/jobset/owned/main/evaluate\"", page, StringComparison.Ordinal);
        Assert.Contains(">Evaluate</button>", page, StringComparison.Ordinal);
        Assert.Contains(">Force evaluation</button>", page, StringComparison.Ordinal);

        var response = await alice.PostAsync("/jobset/owned/main/evaluate", Form(Token(page), force: false));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/jobset/owned/main", response.Headers.Location?.OriginalString);
        var (trigger, force) = await TriggerOfAsync("owned");
        Assert.NotNull(trigger);
        Assert.False(force);
        var after = await alice.GetStringAsync("/jobset/owned/main");
        Assert.Contains("now (triggered)", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Force_evaluation_sets_force()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "forced", "main"));
        var evaluator = await ClientAsync("evaluator-bot", HydraRoles.EvalJobset);
        var page = await evaluator.GetStringAsync("/jobset/forced/main");

        var response = await evaluator.PostAsync("/jobset/forced/main/evaluate", Form(Token(page), force: true));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var (trigger, force) = await TriggerOfAsync("forced");
        Assert.NotNull(trigger);
        Assert.True(force);
    }

    [Fact]
    public async Task A_user_without_rights_sees_no_buttons_and_gets_a_403_page()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "private", "main"));
        var mallory = await ClientAsync("mallory");
        var page = await mallory.GetStringAsync("/jobset/private/main");
        Assert.DoesNotContain("/evaluate\"", page, StringComparison.Ordinal);
        // A valid token for this user (the sign-in form issues one), so only the rights are missing.
        var token = Token(await mallory.GetStringAsync("/login"));

        var response = await mallory.PostAsync("/jobset/private/main/evaluate", Form(token, force: true));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("eval-jobset", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null((await TriggerOfAsync("private")).Trigger);
    }

    [Fact]
    public async Task Signed_out_visitors_are_refused()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "anon", "main"));
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/jobset/anon/main");
        Assert.Contains("to evaluate this jobset", page, StringComparison.Ordinal);

        var response = await client.PostAsync("/jobset/anon/main/evaluate", Form("x", force: false));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Null((await TriggerOfAsync("anon")).Trigger);
    }

    [Fact]
    public async Task A_form_post_without_a_valid_token_is_rejected()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "csrf", "main"));
        var admin = await ClientAsync("root", HydraRoles.Admin);

        var response = await admin.PostAsync("/jobset/csrf/main/evaluate", Form("forged", force: false));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null((await TriggerOfAsync("csrf")).Trigger);
    }

    [Fact]
    public async Task Json_clients_evaluate_with_a_same_origin_header()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "scripted", "main"));
        var admin = await ClientAsync("ops", HydraRoles.Admin);

        var response = await admin.PostAsJsonAsync("/jobset/scripted/main/evaluate?force=1", new { });

        response.EnsureSuccessStatusCode();
        Assert.Contains("scripted:main", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True((await TriggerOfAsync("scripted")).Force);
    }
}
