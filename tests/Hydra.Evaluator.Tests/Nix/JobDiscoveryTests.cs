using System.Text.Json.Nodes;

namespace Hydra.Evaluator.Tests.Nix;

public sealed class JobDiscoveryTests : NixEvalTest
{
    [Fact]
    public async Task Nested_sets_with_recurseForDerivations_become_dotted_job_names()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              top = {{Drv("top")}};
              pkgs = {
                recurseForDerivations = true;
                hello = {{Drv("hello")}};
                tools = { recurseForDerivations = true; make = {{Drv("make")}}; };
                hidden = { notRecursed = {{Drv("hidden")}}; };
              };
              other = { notAJob = {{Drv("other")}}; };
              aString = "not a job";
              aNumber = 3;
              aFunction = x: x;
            }
            """);

        Assert.Empty(evaluation.Errors);
        Assert.Equal(["pkgs.hello", "pkgs.tools.make", "top"], evaluation.Jobs.Select(j => j.Name));
        var hello = evaluation.Jobs.Single(j => j.Name == "pkgs.hello");
        Assert.Equal("hello", hello.NixName);
        Assert.EndsWith("-hello.drv", hello.DrvPath);
        Assert.EndsWith("-hello", hello.Outputs["out"]);
        Assert.False(string.IsNullOrEmpty(hello.System));
        Assert.Null(hello.Constituents);
    }

    [Fact]
    public async Task A_function_gets_the_inputs_it_asks_for()
    {
        var evaluation = await EvaluateAsync(
            $$"""{ greeting, fast ? false }: { job = {{Drv("job", "greeting = greeting; fast = fast;")}}; }""",
            inputs: new JsonObject
            {
                ["greeting"] = new JsonObject { ["kind"] = "string", ["value"] = "hi" },
                ["fast"] = new JsonObject { ["kind"] = "boolean", ["value"] = true },
                ["unused"] = new JsonObject { ["kind"] = "string", ["value"] = "x" },
            });

        Assert.Equal("job", Assert.Single(evaluation.Jobs).Name);
    }

    [Fact]
    public async Task Meta_fields_follow_Hydra_rules()
    {
        var evaluation = await EvaluateAsync($$"""
            {
              full = {{Drv("full")}} // {
                meta = {
                  description = "A full job";
                  license = [ { shortName = "mit"; spdxId = "MIT"; } { spdxId = "Apache-2.0"; } "custom" ];
                  homepage = "https://example.org";
                  maintainers = [ { email = "a@example.org"; name = "A"; } "b@example.org" ];
                  schedulingPriority = 50;
                  timeout = 7200;
                  maxSilent = 600;
                  isChannel = true;
                  unrelated = x: x;
                };
              };
              single = {{Drv("single")}} // { meta = { license = { shortName = "gpl3"; }; maintainers = { email = "c@example.org"; }; isHydraChannel = true; }; };
              plain = {{Drv("plain")}};
            }
            """);

        Assert.Empty(evaluation.Errors);
        var full = evaluation.Jobs.Single(j => j.Name == "full");
        Assert.Equal("A full job", full.Description);
        Assert.Equal("mit, Apache-2.0, custom", full.License);
        Assert.Equal("https://example.org", full.Homepage);
        Assert.Equal("a@example.org, b@example.org", full.Maintainers);
        Assert.Equal(50, full.SchedulingPriority);
        Assert.Equal(7200, full.Timeout);
        Assert.Equal(600, full.MaxSilent);
        Assert.True(full.IsChannel);

        var single = evaluation.Jobs.Single(j => j.Name == "single");
        Assert.Equal("gpl3", single.License);
        Assert.Equal("c@example.org", single.Maintainers);
        Assert.True(single.IsChannel);

        var plain = evaluation.Jobs.Single(j => j.Name == "plain");
        Assert.Equal("plain", plain.NixName);
        Assert.Null(plain.Description);
        Assert.Null(plain.License);
        Assert.Null(plain.Homepage);
        Assert.Null(plain.Maintainers);
        Assert.Equal(100, plain.SchedulingPriority);
        Assert.Null(plain.Timeout);
        Assert.Null(plain.MaxSilent);
        Assert.False(plain.IsChannel);
    }
}
