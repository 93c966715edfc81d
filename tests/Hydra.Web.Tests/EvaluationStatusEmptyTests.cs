using System.Text.Json;

namespace Hydra.Web.Tests;

/// <summary>The status page of a farm with nothing to evaluate (its own database, so no other test's rows).</summary>
public sealed class EvaluationStatusEmptyTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task An_idle_farm_says_so()
    {
        var html = await factory.CreateClient().GetStringAsync("/status/evaluations");
        Assert.Contains("No evaluations are running.", html, StringComparison.Ordinal);
        Assert.Contains("No jobsets are waiting for an evaluator.", html, StringComparison.Ordinal);

        var json = JsonDocument.Parse(await factory.JsonClient().GetStringAsync("/status/evaluations")).RootElement;
        Assert.Equal(0, json.GetProperty("inprogress").GetArrayLength());
        Assert.Equal(0, json.GetProperty("queued").GetArrayLength());
    }
}
