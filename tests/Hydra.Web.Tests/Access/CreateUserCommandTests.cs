using System.Net;
using System.Net.Http.Json;
using Hydra.Web.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Access;

public sealed class CreateUserCommandTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Create_user_reads_the_password_from_stdin_sets_details_and_adds_roles_unless_wiped()
    {
        var (created, _, message) = await RunAsync("s3cret-from-stdin\n",
            "create-user", "ada", "--password-stdin", "--admin", "--full-name", "Ada Lovelace", "--email-address", "ada@example.org");
        Assert.True(created == 0, message);
        Assert.Contains("admin", message, StringComparison.Ordinal);

        // Roles are added; the password and details stay.
        Assert.Equal(0, (await RunAsync(null, "create-user", "ada", "--role", "restart-jobs")).ExitCode);
        var user = await FindAsync("ada");
        Assert.Equal(["admin", "restart-jobs"], user.Roles);
        Assert.Equal(("Ada Lovelace", "ada@example.org"), (user.FullName, user.EmailAddress));
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/login", new { username = "ada", password = "s3cret-from-stdin" })).StatusCode);

        Assert.Equal(0, (await RunAsync(null, "create-user", "ada", "--wipe-roles", "--role", "eval-jobset")).ExitCode);
        Assert.Equal(["eval-jobset"], (await FindAsync("ada")).Roles);
    }

    [Fact]
    public async Task Create_user_refuses_unknown_roles_and_a_new_user_without_a_password()
    {
        var (unknownRole, _, roleMessage) = await RunAsync(null, "create-user", "eve", "--password", "pw", "--role", "root");
        Assert.Equal(2, unknownRole);
        Assert.Contains("known roles: admin", roleMessage, StringComparison.Ordinal);

        var (noPassword, _, passwordMessage) = await RunAsync(null, "create-user", "eve");
        Assert.Equal(2, noPassword);
        Assert.Contains("needs a password", passwordMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_user_help_lists_every_option_and_the_roles()
    {
        var (exitCode, help, _) = await RunAsync(null, "create-user", "--help");

        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--password-stdin", "--full-name", "--email-address", "--role", "--admin", "--wipe-roles", "Examples:" })
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
        Assert.Contains(string.Join(", ", HydraRoles.All), help, StringComparison.Ordinal);
    }

    private async Task<Hydra.Core.Data.Entities.User> FindAsync(string name)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserService>().FindAsync(name, CancellationToken.None))!;
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string? stdin, params string[] arguments) =>
        ServerCommand.RunWithInputAsync(factory, stdin ?? "", arguments);
}
