using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Tests.Access;

/// <summary>Members administer a project as its owner does; roles and users are read at each request.</summary>
public sealed class ProjectMemberTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private static readonly object JobsetBody = new
    {
        nixexprinput = "src", nixexprpath = "release.nix", enabled = 1, visible = true, checkinterval = 0,
        inputs = new { src = new { type = "git", value = "https://example.org/repo.git" } },
    };

    [Fact]
    public async Task A_member_edits_jobsets_evaluates_and_acts_on_builds_and_a_stranger_may_not()
    {
        var (build, project) = await SeedAsync("memberproj");
        var owner = await factory.SignedInClientAsync("alice", "pw");
        var member = await factory.SignedInClientAsync("mia", "pw");
        var stranger = await factory.SignedInClientAsync("sam", "pw");

        Assert.Equal(HttpStatusCode.Forbidden, (await member.PutAsJsonAsync($"/jobset/{project}/extra", JobsetBody)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsync($"/project/{project}/members/mia", null)).StatusCode);
        var members = await factory.JsonClient().GetFromJsonAsync<JsonElement>($"/project/{project}/members");
        Assert.Equal(["mia"], members.EnumerateArray().Select(m => m.GetString()));

        Assert.Equal(HttpStatusCode.Created, (await member.PutAsJsonAsync($"/jobset/{project}/extra", JobsetBody)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsync($"/jobset/{project}/j/evaluate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.PostAsync($"/build/{build}/cancel", null)).StatusCode);

        var strangerCancel = await stranger.PostAsync($"/build/{build}/restart", null);
        Assert.Equal(HttpStatusCode.Forbidden, strangerCancel.StatusCode);
        Assert.Contains("restart-jobs role", (await strangerCancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PutAsJsonAsync($"/jobset/{project}/other", JobsetBody)).StatusCode);
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_changes_members_and_a_member_cannot_take_the_project()
    {
        var (_, project) = await SeedAsync("guarded");
        var owner = await factory.SignedInClientAsync("alice", "pw");
        var member = await factory.SignedInClientAsync("max", "pw");
        await factory.CreateUserAsync("other", "pw");
        Assert.Equal(HttpStatusCode.OK, (await owner.PutAsync($"/project/{project}/members/max", null)).StatusCode);

        var add = await member.PutAsync($"/project/{project}/members/other", null);
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        var take = await member.PutAsJsonAsync($"/project/{project}", new { owner = "max", enabled = true });
        Assert.Equal(HttpStatusCode.Forbidden, take.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.PutAsync($"/project/{project}/members/nobody-here", null)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await owner.DeleteAsync($"/project/{project}/members/max")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PutAsJsonAsync($"/jobset/{project}/late", JobsetBody)).StatusCode);
    }

    [Fact]
    public async Task A_role_taken_away_or_a_deleted_user_counts_at_once_for_a_signed_in_session()
    {
        var client = await factory.SignedInClientAsync("ruth", "pw", "create-projects");
        Assert.Equal(HttpStatusCode.Created, (await client.PutAsJsonAsync("/project/ruths", new { enabled = true })).StatusCode);

        await factory.CreateUserAsync("ruth", "pw");
        var refused = await client.PutAsJsonAsync("/project/ruths2", new { enabled = true });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("create-projects role", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);

        await factory.WithDbAsync(async db =>
        {
            db.RemoveRange(db.Projects.Where(p => p.Owner == "ruth"));
            db.RemoveRange(db.Users.Where(u => u.UserName == "ruth"));
            await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/current-user")).StatusCode);
    }

    private async Task<(long Build, string Project)> SeedAsync(string project)
    {
        long build = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, project, "j");
            build = (await Seed.BuildAsync(db, jobset, null, "job")).Id;
        });
        return (build, project);
    }
}
