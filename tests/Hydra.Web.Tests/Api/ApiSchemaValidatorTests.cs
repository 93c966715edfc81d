using System.Text.Json.Nodes;

namespace Hydra.Web.Tests.Api;

/// <summary>The small OpenAPI validator the conformance tests rely on: it must refuse what does not conform.</summary>
public sealed class ApiSchemaValidatorTests
{
    private static readonly JsonNode Build = JsonNode.Parse("""{"$ref":"#/components/schemas/Build"}""")!;

    private static List<string> Validate(string json, JsonNode schema) => ApiSpec.Validator.Validate(JsonNode.Parse(json), schema);

    [Fact]
    public void A_build_in_hydras_shape_conforms()
    {
        Assert.Empty(Validate("""
            {"id":1,"finished":1,"buildstatus":0,"starttime":null,"jobsetevals":[1,2],"nixname":"hello",
             "buildoutputs":{"out":{"path":"/nix/store/x"}},"buildproducts":{"1":{"filesize":null,"type":"nix-build","path":"/nix/store/x"}},
             "buildmetrics":{"size":{"name":"size","value":1.5,"unit":"B"}},"extra":"allowed"}
            """, Build));
    }

    [Theory]
    [InlineData("""{"id":"1"}""", "$.id")]
    [InlineData("""{"id":1.5}""", "$.id")]
    [InlineData("""{"finished":true}""", "$.finished")]
    [InlineData("""{"finished":2}""", "$.finished")]
    [InlineData("""{"nixname":null}""", "$.nixname")]
    [InlineData("""{"jobsetevals":[1,"2"]}""", "$.jobsetevals[1]")]
    [InlineData("""{"buildoutputs":{"out":{"path":7}}}""", "$.buildoutputs.out.path")]
    [InlineData("""{"buildproducts":{"1":{"filesize":"big"}}}""", "$.buildproducts.1.filesize")]
    [InlineData("""[]""", "$")]
    public void A_build_with_a_wrong_field_is_refused_at_that_field(string json, string path)
    {
        var errors = Validate(json, Build);
        Assert.Contains(errors, e => e.StartsWith(path + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void OneOf_needs_exactly_one_match()
    {
        var input = JsonNode.Parse("""{"$ref":"#/components/schemas/JobsetEvalInput"}""")!;
        Assert.Empty(Validate("""{"value":"x","type":"git"}""", input));
        Assert.Empty(Validate("""{"value":["a","b"]}""", input));
        Assert.NotEmpty(Validate("""{"value":3}""", input));
    }

    [Fact]
    public void Required_properties_and_unknown_keywords_are_checked()
    {
        Assert.NotEmpty(Validate("{}", JsonNode.Parse("""{"type":"object","required":["name"]}""")!));
        Assert.Contains(Validate("1", JsonNode.Parse("""{"minimum":3}""")!), e => e.Contains("minimum", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_erratum_names_a_place_in_the_spec_and_says_why()
    {
        Assert.All(ApiSpec.Errata, e => Assert.False(string.IsNullOrWhiteSpace(e.Why)));
        Assert.Equal(21, ApiSpec.Operations.Count());
    }
}
