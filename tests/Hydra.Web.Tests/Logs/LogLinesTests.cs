using System.Text;
using Hydra.Web.Pages.Logs;

namespace Hydra.Web.Tests.Logs;

public sealed class LogLinesTests
{
    private static async Task<List<LogLine>> ReadAsync(string text, bool includePartial, long start = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = new List<LogLine>();
        // A 1-byte-at-a-time stream would be slow; 3-byte reads cut multi-byte characters and newlines apart.
        await using var stream = new ChunkedStream(bytes[(int)start..], 3);
        await foreach (var line in LogLines.ReadAsync(stream, start, includePartial, CancellationToken.None))
        {
            lines.Add(line);
        }
        return lines;
    }

    [Fact]
    public async Task Offsets_count_bytes_not_characters()
    {
        var lines = await ReadAsync("héllo\r\nwörld ✓\nlast", includePartial: false);

        Assert.Equal(["héllo", "wörld ✓"], lines.Select(l => l.Text));
        Assert.Equal([8L, 8 + 11], lines.Select(l => l.EndOffset));
    }

    [Fact]
    public async Task A_partial_last_line_comes_only_when_asked()
    {
        var lines = await ReadAsync("one\ntwo", includePartial: true);

        Assert.Equal(["one", "two"], lines.Select(l => l.Text));
        Assert.Equal(7, lines[^1].EndOffset);
    }

    [Fact]
    public async Task Reading_resumes_from_an_offset()
    {
        const string text = "one\ntwo\nthree\n";

        var lines = await ReadAsync(text, includePartial: false, start: 4);

        Assert.Equal(["two", "three"], lines.Select(l => l.Text));
        Assert.Equal(text.Length, lines[^1].EndOffset);
    }

    [Theory]
    [InlineData("error: builder for '/nix/store/x.drv' failed with exit code 1", true)]
    [InlineData("src/main.c:3:5: error: expected ';'", true)]
    [InlineData("make: *** [Makefile:12: all] Error 2", true)]
    [InlineData("make[2]: *** [foo] Error 1", true)]
    [InlineData("FAILED tests/test_x.py::test_y", true)]
    [InlineData("ERROR: could not open file", true)]
    [InlineData("checking for strerror... yes", false)]
    [InlineData("0 errors, 0 warnings", false)]
    [InlineData("compiling error.c", false)]
    public void Error_lines_are_recognised(string line, bool isError)
    {
        Assert.Equal(isError, LogLines.IsError(line));
    }

    private sealed class ChunkedStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
