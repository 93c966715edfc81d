using System.Text.Json;
using Hydra.Core.Nix;

namespace Hydra.Core.Tests.Nix;

public sealed class DerivationParserTests(RealDerivationsFixture drvs) : IClassFixture<RealDerivationsFixture>
{
    [Fact]
    public async Task Parses_derivation_with_escaped_strings()
    {
        var drv = await DerivationParser.ParseFileAsync(drvs.SimpleDrvPath, CancellationToken.None);

        Assert.Equal(["-c", "echo \"hi\"\nthere\t\\ > $out"], drv.Args);
        Assert.Equal("/bin/sh", drv.Builder);
        Assert.Equal("simple", drv.Name);
        Assert.Equal("/bin:/usr/bin", drv.Env["PATH"]);
        Assert.Empty(drv.InputDrvs);
        Assert.Empty(drv.InputSrcs);
        Assert.False(drv.PreferLocalBuild);
        Assert.Empty(drv.RequiredSystemFeatures);
        var output = Assert.Single(drv.Outputs);
        Assert.Equal("out", output.Key);
        Assert.True(StorePath.TryParse(output.Value.Path, out _));
        Assert.Equal([output.Value.Path], drv.OutputPaths);
    }

    [Fact]
    public async Task Parses_input_derivations_sources_and_features_of_a_dependent_derivation()
    {
        var drv = await DerivationParser.ParseFileAsync(drvs.DependentDrvPath, CancellationToken.None);

        var input = Assert.Single(drv.InputDrvs);
        Assert.Equal(drvs.SimpleDrvPath, input.Key);
        Assert.Equal(["out"], input.Value);
        var source = Assert.Single(drv.InputSrcs);
        Assert.EndsWith("-src.txt", source, StringComparison.Ordinal);
        Assert.Equal(["kvm", "big-parallel"], drv.RequiredSystemFeatures);
        Assert.True(drv.PreferLocalBuild);
    }

    [Fact]
    public async Task Parses_every_output_of_a_multi_output_derivation()
    {
        var drv = await DerivationParser.ParseFileAsync(drvs.MultiDrvPath, CancellationToken.None);

        Assert.Equal(["dev", "out"], drv.Outputs.Keys.Order(StringComparer.Ordinal));
        Assert.EndsWith("-multi-dev", drv.Outputs["dev"].Path, StringComparison.Ordinal);
        Assert.EndsWith("-multi", drv.Outputs["out"].Path, StringComparison.Ordinal);
        Assert.Equal(2, drv.OutputPaths.Count);
        Assert.All(drv.Outputs.Values, o => Assert.False(o.IsFixedOutput));
    }

    [Theory]
    [InlineData(nameof(RealDerivationsFixture.SimpleDrvPath))]
    [InlineData(nameof(RealDerivationsFixture.DependentDrvPath))]
    [InlineData(nameof(RealDerivationsFixture.MultiDrvPath))]
    public async Task Agrees_with_nix_show_derivation(string which)
    {
        var path = (string)typeof(RealDerivationsFixture).GetProperty(which)!.GetValue(drvs)!;
        var drv = await DerivationParser.ParseFileAsync(path, CancellationToken.None);

        using var json = JsonDocument.Parse(await NixProcess.RunCheckedAsync("nix", "show-derivation", path));
        var expected = json.RootElement.GetProperty(path);

        Assert.Equal(expected.GetProperty("system").GetString(), drv.System);
        Assert.Equal(expected.GetProperty("builder").GetString(), drv.Builder);
        Assert.Equal(Strings(expected.GetProperty("args")), drv.Args);
        Assert.Equal(Strings(expected.GetProperty("inputSrcs")), drv.InputSrcs);
        Assert.Equal(
            expected.GetProperty("outputs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetProperty("path").GetString()),
            drv.Outputs.ToDictionary(p => p.Key, p => (string?)p.Value.Path));
        Assert.Equal(
            expected.GetProperty("inputDrvs").EnumerateObject().ToDictionary(p => p.Name, p => string.Join(',', Strings(p.Value))),
            drv.InputDrvs.ToDictionary(p => p.Key, p => string.Join(',', p.Value)));
        Assert.Equal(
            expected.GetProperty("env").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()),
            drv.Env.ToDictionary(p => p.Key, p => (string?)p.Value));
    }

    [Fact]
    public void Parses_fixed_output_and_deferred_outputs()
    {
        var drv = DerivationParser.Parse(
            """Derive([("out","/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-src.tar.gz","sha256","0123abcd"),("doc","","r:sha256","")],[],[],"aarch64-linux","/bin/sh",[],[("name","src.tar.gz")])""");

        Assert.True(drv.Outputs["out"].IsFixedOutput);
        Assert.Equal("sha256", drv.Outputs["out"].HashAlgo);
        Assert.Equal("", drv.Outputs["doc"].Path);
        Assert.Equal(["/nix/store/g9rfbmv0zcagqr54jn21wl63xi2x1f0a-src.tar.gz"], drv.OutputPaths);
        Assert.Equal("aarch64-linux", drv.System);
        Assert.Equal("src.tar.gz", drv.Name);
    }

    [Fact]
    public void Parses_empty_lists_strings_and_carriage_returns()
    {
        var drv = DerivationParser.Parse("""Derive([],[],[],"","",[""],[("a\r\nb","")])""");

        Assert.Empty(drv.Outputs);
        Assert.Equal([""], drv.Args);
        Assert.Equal("", drv.Env["a\r\nb"]);
        Assert.Equal("", drv.Name);
        Assert.Empty(drv.OutputPaths);
    }

    [Fact]
    public void Splits_required_system_features_on_any_whitespace()
    {
        var drv = DerivationParser.Parse("""Derive([],[],[],"x86_64-linux","/bin/sh",[],[("requiredSystemFeatures"," kvm\tnixos-test\n big-parallel "),("preferLocalBuild","")])""");

        Assert.Equal(["kvm", "nixos-test", "big-parallel"], drv.RequiredSystemFeatures);
        Assert.False(drv.PreferLocalBuild);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("Derive", 0)]
    [InlineData("derive([],[],[],\"\",\"\",[],[])", 0)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[]", 27)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[])x", 28)]
    [InlineData("Derive([],[],[],\"x86_64-linux", 29)]
    [InlineData("Derive([],[],[],\"a\\", 18)]
    [InlineData("Derive([],[],[],\"a\\x\",\"\",[],[])", 18)]
    [InlineData("Derive([],[],[],x86_64-linux,\"\",[],[])", 16)]
    [InlineData("Derive([],[],[];\"\",\"\",[],[])", 15)]
    [InlineData("Derive([(\"out\",\"p\",\"\")],[],[],\"\",\"\",[],[])", 21)]
    [InlineData("Derive([],[],[\"a\",],\"\",\"\",[],[])", 18)]
    [InlineData("Derive([],[],[\"a\" \"b\"],\"\",\"\",[],[])", 17)]
    [InlineData("Derive([],[(\"/nix/store/x.drv\",\"out\")],[],\"\",\"\",[],[])", 31)]
    [InlineData("Derive([],[],[],\"\",\"\",[],[(\"k\",\"v\"),(\"k\",\"w\")])", 36)]
    public void Rejects_malformed_derivations_naming_the_offset(string text, int offset)
    {
        var error = Assert.Throws<FormatException>(() => DerivationParser.Parse(text));

        Assert.Contains($"offset {offset}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_the_file_when_a_drv_file_is_malformed()
    {
        using var directory = new TemporaryDirectory();
        var path = directory.Combine("broken.drv");
        await File.WriteAllTextAsync(path, "Derive([");

        var error = await Assert.ThrowsAsync<FormatException>(() => DerivationParser.ParseFileAsync(path, CancellationToken.None));

        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
