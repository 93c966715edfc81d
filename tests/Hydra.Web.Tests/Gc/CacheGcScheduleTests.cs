using Hydra.Web.Tests.Cache;

namespace Hydra.Web.Tests.Gc;

/// <summary>
/// With <c>Hydra:Gc:Interval</c> set the server collects by itself: a NAR nothing names and older than the grace
/// period goes without anyone asking, while one inside the grace period stays.
/// </summary>
public sealed class CacheGcScheduleTests(CacheGcScheduleTests.CollectingServer server) : IClassFixture<CacheGcScheduleTests.CollectingServer>
{
    [Fact]
    public async Task The_server_collects_old_unnamed_nars_on_its_own_and_keeps_young_ones()
    {
        var nars = Path.Combine(server.CacheDir, "nar");
        Directory.CreateDirectory(nars);
        var old = Path.Combine(nars, "1111111111111111111111111111111111111111111111111111.nar.xz");
        var young = Path.Combine(nars, "2222222222222222222222222222222222222222222222222222.nar.xz");
        await File.WriteAllTextAsync(young, "uploaded a moment ago; its narinfo may be on its way");
        await File.WriteAllTextAsync(old, "a NAR whose narinfo is long gone");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-3));

        // No request is made: only the server's own schedule can delete it. Wait up to a minute, polling.
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (File.Exists(old) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.False(File.Exists(old), "the scheduled collection never deleted the old unnamed NAR");
        Assert.True(File.Exists(young), "the scheduled collection deleted a NAR inside the grace period");
    }

    public sealed class CollectingServer : CacheServerFactory
    {
        protected override IEnumerable<KeyValuePair<string, string>> Settings =>
        [
            new("Hydra:Gc:Interval", "00:00:01"),
            new("Hydra:Gc:GracePeriod", "01:00:00"),
        ];
    }
}
