using Hydra.Web.Hosting;

namespace Hydra.Web.Tests.Hosting;

public sealed class ServerSettingArgumentsTests
{
    [Theory]
    [InlineData]
    [InlineData("--Hydra:DataDir=/var/lib/hydra")]
    [InlineData("--Hydra:DataDir", "/var/lib/hydra")]
    [InlineData("--ConnectionStrings:Hydra=Host=db;Username=hydra", "--Serilog:MinimumLevel:Default=Warning")]
    [InlineData("Hydra:Roles=web")]
    [InlineData("--environment", "Production", "--contentRoot=/app", "--applicationName=x", "--WebRoot=/srv")]
    // WebApplicationFactory's arguments: each section's own entry comes with an empty value.
    [InlineData("--Hydra=", "--Hydra:Roles=web", "--ConnectionStrings=", "--ConnectionStrings:Hydra=Host=db", "--environment=Development")]
    public void Settings_with_a_section_and_the_hosts_own_keys_are_accepted(params string[] arguments) =>
        Assert.Null(ServerSettingArguments.FindError(arguments));

    [Theory]
    [InlineData("unknown option '--bogus'", "--bogus")]
    [InlineData("unknown option '--bogus=1'", "--Hydra:DataDir=/x", "--bogus=1")]
    [InlineData("unknown option '--=x'", "--=x")]
    [InlineData("'bogus' is neither a command", "bogus")]
    [InlineData("'/var/lib/hydra' is neither a command", "/var/lib/hydra")]
    [InlineData("setting '--Hydra:DataDir' has no value", "--Hydra:DataDir")]
    [InlineData("'extra' is neither a command", "--Hydra:DataDir", "/x", "extra")]
    public void Anything_else_is_refused_with_the_reason(string reason, params string[] arguments) =>
        Assert.StartsWith(reason, ServerSettingArguments.FindError(arguments));
}
