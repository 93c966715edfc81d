using Hydra.Builder.NixSupport;

namespace Hydra.Builder.Tests.NixSupport;

public sealed class MetricLineTests
{
    [Theory]
    [InlineData("time 12.5 s", "time", 12.5, "s")]
    [InlineData("closure.size 1e6", "closure.size", 1e6, "")]
    [InlineData("  tests-failed\t-3   count  extra", "tests-failed", -3.0, "count")]
    [InlineData("coverage 87.5 %", "coverage", 87.5, "%")]
    [InlineData("odd 3 <unit>", "odd", 3.0, "")]
    public void Parses_name_value_and_optional_unit(string line, string name, double value, string unit)
    {
        var metric = MetricLine.TryParse(line);
        Assert.NotNull(metric);
        Assert.Equal((name, value, unit), (metric.Name, metric.Value, metric.Unit));
    }

    [Theory]
    [InlineData("")]
    [InlineData("lonely")]
    [InlineData("bad!name 1")]
    [InlineData("<script> 1")]
    [InlineData("time fast")]
    [InlineData("time nan")]
    [InlineData("time inf")]
    [InlineData("time 1,5")]
    public void Rejects_bad_names_and_values(string line)
    {
        Assert.Null(MetricLine.TryParse(line));
    }
}
