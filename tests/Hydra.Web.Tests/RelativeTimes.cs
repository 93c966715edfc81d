using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Tests;

/// <summary>
/// What a page may say about a time ("3 minutes ago") when it rendered at some moment in a window the test observed.
/// The page reads the real clock; on a loaded machine a request can take long enough for the text to move on by a
/// minute, so a test asserts against every text the window allows instead of one.
/// </summary>
public static class RelativeTimes
{
    /// <summary>Runs <paramref name="render"/> and returns its result with the texts <see cref="Formatting.Relative"/> gives for <paramref name="time"/> during the call.</summary>
    public static async Task<(T Result, IReadOnlyList<string> Texts)> DuringAsync<T>(DateTimeOffset time, Func<Task<T>> render)
    {
        var before = DateTimeOffset.UtcNow;
        var result = await render();
        var after = DateTimeOffset.UtcNow;
        var texts = new List<string>();
        for (var now = before; now < after + TimeSpan.FromSeconds(1); now += TimeSpan.FromSeconds(1))
        {
            var text = Formatting.Relative(time, now < after ? now : after);
            if (!texts.Contains(text))
            {
                texts.Add(text);
            }
        }
        return (result, texts);
    }

    /// <summary>Asserts that <paramref name="html"/> contains one of <paramref name="texts"/>.</summary>
    public static void AssertContainsOne(IReadOnlyList<string> texts, string html) =>
        Assert.True(texts.Any(t => html.Contains(t, StringComparison.Ordinal)), $"none of [{string.Join(", ", texts)}] in: {html}");
}
