using Hydra.Evaluator.Declarative;

namespace Hydra.Evaluator.Tests.Declarative;

public sealed class DeclarativeSpecParserTests
{
    [Fact]
    public void Numbers_may_be_strings_and_booleans_may_be_0_or_1_as_in_hand_written_Hydra_specs()
    {
        var spec = Assert.Single(DeclarativeSpecParser.Parse(
            """{ "j": { "enabled": "1", "hidden": 1, "checkinterval": "0", "keepnr": 0, "enableemail": 0, "nixexprinput": "src", "nixexprpath": "a/b.nix", "inputs": { "src": { "type": "path", "value": "/srv/src" } } } }""",
            "spec.json"));

        Assert.Equal((1, true, 0, 0, false), (spec.Enabled, spec.Hidden, spec.CheckInterval, spec.KeepNr, spec.EnableEmail));
    }

    [Fact]
    public void A_flake_jobset_needs_no_expression_input()
    {
        var spec = Assert.Single(DeclarativeSpecParser.Parse("""{ "f": { "type": 1, "flake": "github:o/r" } }""", "spec.json"));

        Assert.Equal((1, "github:o/r", ""), (spec.Type, spec.Flake, spec.NixExprInput));
    }

    [Fact]
    public void A_flake_jobset_without_a_flake_is_rejected()
    {
        var error = Assert.Throws<DeclarativeSpecException>(() => DeclarativeSpecParser.Parse("""{ "f": { "type": 1 } }""", "spec.json"));

        Assert.Contains("jobset 'f' is a flake jobset (type 1) and needs a flake URL", error.Message);
    }

    [Fact]
    public void The_generated_form_is_named_as_unsupported()
    {
        var error = Assert.Throws<DeclarativeSpecException>(() => DeclarativeSpecParser.Parse(
            """{ "enabled": 1, "nixexprinput": "src", "nixexprpath": "jobsets.nix", "inputs": { "src": { "type": "git", "value": "u" } } }""", "spec.json"));

        Assert.Contains("generated form", error.Message);
    }

    [Theory]
    [InlineData("[]", "must be a JSON object mapping jobset names to jobset specs, not an array")]
    [InlineData("""{ "j": 3 }""", "jobset 'j' must be an object (a jobset spec), not a number")]
    [InlineData("""{ "j": { "nixexprinput": "s", "nixexprpath": "r.nix", "inputs": { "s": { "type": "boolean", "value": "maybe" } } } }""", "'true' or 'false'")]
    [InlineData("""{ "j": { "nixexprinput": "s", "nixexprpath": "r.nix", "inputs": { "s": { "type": "build", "value": "p:j" } } } }""", "'project:jobset:job'")]
    [InlineData("""{ "j": { "nixexprinput": "s", "nixexprpath": "r.nix", "inputs": { "s": { "type": "git", "value": "u", "secret": "x" } } } }""", "unknown field 'secret'")]
    [InlineData("""{ "j": { "enabled": 7 } }""", "enabled must be 0 (disabled), 1 (enabled), 2 (one-shot) or 3 (one-at-a-time), not 7")]
    [InlineData("""{ "j": { "schedulingshares": 0 } }""", "schedulingshares must be a positive integer, not 0")]
    [InlineData("""{ "j": { "hidden": "perhaps" } }""", "hidden must be true or false")]
    [InlineData("""{ "j": {}, "j": {} }""", "jobset 'j' appears more than once")]
    [InlineData("""{ ".jobsets": {} }""", "invalid jobset name '.jobsets'")]
    [InlineData("{ \"j\": { \"description\": \"unterminated }", "is not valid JSON: line 1, position ")]
    public void Malformed_specs_are_explained(string json, string expected)
    {
        var error = Assert.Throws<DeclarativeSpecException>(() => DeclarativeSpecParser.Parse(json, "spec.json"));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void An_empty_spec_is_valid_and_means_no_jobsets() =>
        Assert.Empty(DeclarativeSpecParser.Parse("{}", "spec.json"));
}
