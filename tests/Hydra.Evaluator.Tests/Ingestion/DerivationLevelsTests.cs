using Hydra.Core.Nix;
using Hydra.Evaluator.Ingestion;

namespace Hydra.Evaluator.Tests.Ingestion;

public sealed class DerivationLevelsTests
{
    [Fact]
    public void Dependencies_come_in_earlier_levels_whatever_the_order_given()
    {
        // top -> middle -> base, and top -> base directly; given dependents first.
        var derivations = new Dictionary<string, Derivation>(StringComparer.Ordinal)
        {
            ["/nix/store/top.drv"] = Drv("/nix/store/middle.drv", "/nix/store/base.drv"),
            ["/nix/store/middle.drv"] = Drv("/nix/store/base.drv"),
            ["/nix/store/base.drv"] = Drv(),
        };

        var levels = DerivationLevels.Of(derivations);

        Assert.Equal([["/nix/store/base.drv"], ["/nix/store/middle.drv"], ["/nix/store/top.drv"]], levels);
    }

    [Fact]
    public void Inputs_outside_the_set_do_not_count_and_drv_sources_do()
    {
        var derivations = new Dictionary<string, Derivation>(StringComparer.Ordinal)
        {
            ["/nix/store/a.drv"] = Drv("/nix/store/cached.drv"),
            ["/nix/store/b.drv"] = Drv() with { InputSrcs = ["/nix/store/a.drv", "/nix/store/script.sh"] },
        };

        var levels = DerivationLevels.Of(derivations);

        Assert.Equal([["/nix/store/a.drv"], ["/nix/store/b.drv"]], levels);
    }

    private static Derivation Drv(params string[] inputs) => new()
    {
        Outputs = new Dictionary<string, DerivationOutput>(),
        InputDrvs = inputs.ToDictionary(i => i, _ => (IReadOnlyList<string>)["out"], StringComparer.Ordinal),
        InputSrcs = [],
        System = "x86_64-linux",
        Builder = "/bin/sh",
        Args = [],
        Env = new Dictionary<string, string>(),
    };
}
