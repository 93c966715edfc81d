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
    public void A_spec_whose_values_are_all_objects_is_the_static_form()
    {
        var spec = DeclarativeSpecParser.Read("""{ "inputs": { "nixexprinput": "s", "nixexprpath": "r.nix", "inputs": { "s": { "type": "git", "value": "u" } } } }""", "spec.json");

        // Hydra's rule: even a jobset named like a spec key makes a static spec when every value is an object.
        Assert.Null(spec.Generator);
        Assert.Equal("inputs", Assert.Single(spec.Jobsets!).Name);
    }

    [Fact]
    public void Any_other_object_is_the_generated_form_configuring_dot_jobsets()
    {
        var spec = DeclarativeSpecParser.Read(
            """
            { "enabled": 1, "hidden": true, "description": "makes the jobsets", "nixexprinput": "src", "nixexprpath": "jobsets.nix",
              "checkinterval": 60, "schedulingshares": 10, "keepnr": 1, "enableemail": false, "emailoverride": "", "enable_dynamic_run_command": false,
              "inputs": { "src": { "type": "git", "value": "https://example.org/ci.git main" } } }
            """, "spec.json");

        Assert.Null(spec.Jobsets);
        var generator = spec.Generator!;
        Assert.Equal((".jobsets", "src", "jobsets.nix", 60, 10, 1), (generator.Name, generator.NixExprInput, generator.NixExprPath, generator.CheckInterval, generator.SchedulingShares, generator.KeepNr));
        Assert.Equal(("src", "git"), (Assert.Single(generator.Inputs).Name, generator.Inputs[0].Type));
    }

    [Fact]
    public void A_generated_spec_may_take_its_expression_from_the_declarative_input()
    {
        var spec = DeclarativeSpecParser.Read("""{ "nixexprinput": "declInput", "nixexprpath": "jobsets.nix" }""", "spec.json");

        Assert.Equal("declInput", spec.Generator!.NixExprInput);
        Assert.Empty(spec.Generator.Inputs);
    }

    [Fact]
    public void A_generated_spec_cannot_set_the_inputs_the_server_adds()
    {
        var error = Assert.Throws<DeclarativeSpecException>(() => DeclarativeSpecParser.Read(
            """{ "nixexprinput": "src", "nixexprpath": "jobsets.nix", "inputs": { "src": { "type": "git", "value": "u" }, "projectName": { "type": "string", "value": "x" } } }""", "spec.json"));

        Assert.Contains("input 'projectName' is set by the server", error.Message);
    }

    [Fact]
    public void A_generated_spec_is_validated_like_a_jobset()
    {
        var error = Assert.Throws<DeclarativeSpecException>(() => DeclarativeSpecParser.Read(
            """{ "enabled": 7, "nixexprinput": "nixpkgs", "nixexprpath": "../jobsets.nix" }""", "spec.json"));

        Assert.Contains("jobset '.jobsets': enabled must be 0 (disabled)", error.Message);
        Assert.Contains("nixexprinput 'nixpkgs' must name one of its inputs (inputs: declInput, projectName)", error.Message);
        Assert.Contains("nixexprpath '../jobsets.nix' must be a relative path", error.Message);
    }

    [Fact]
    public void A_list_of_jobsets_that_is_one_jobset_spec_is_named_as_such()
    {
        var error = Assert.Throws<DeclarativeSpecException>(() => DeclarativeSpecParser.Parse(
            """{ "enabled": 1, "nixexprinput": "src", "nixexprpath": "jobsets.nix", "inputs": { "src": { "type": "git", "value": "u" } } }""", "the output"));

        Assert.StartsWith("the output looks like a single jobset spec; it must map jobset names to jobset specs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_file_that_is_not_an_object_is_refused() =>
        Assert.Contains("must be a JSON object", Assert.Throws<DeclarativeSpecException>(() => DeclarativeSpecParser.Read("[]", "spec.json")).Message);

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
