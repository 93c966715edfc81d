using System.Globalization;
using System.Text;

namespace Hydra.Web.Pages.Logs;

/// <summary>A run of log text with one style: CSS class names from a fixed set, never from the log itself.</summary>
public sealed record LogSegment(string Text, string? Classes);

/// <summary>
/// Turns build-log lines that carry ANSI escape sequences into styled segments. Only SGR ("ESC [ ... m") styles
/// survive, as class names (<c>ansi-fg-1</c>, <c>ansi-bold</c>, ...): the markup is built by the caller from the
/// segments with the text escaped, so a log can never inject markup, styles or links. Every other escape
/// (cursor movement, OSC titles and hyperlinks) and every control character but tab is dropped. A carriage
/// return (progress bars) keeps what was written after the last one. Styles carry over from line to line, as
/// in a terminal; one renderer reads one log from its beginning.
/// </summary>
public sealed class AnsiRenderer
{
    private const char Escape = '\u001b';

    private int? _foreground;
    private int? _background;
    private bool _bold;
    private bool _faint;
    private bool _italic;
    private bool _underline;

    public IReadOnlyList<LogSegment> Render(string line)
    {
        var carriageReturn = line.TrimEnd('\r').LastIndexOf('\r');
        if (carriageReturn >= 0)
        {
            // Earlier escapes still set styles; their text was overwritten on the terminal.
            RenderInto(line[..carriageReturn], null);
            line = line[(carriageReturn + 1)..];
        }

        var segments = new List<LogSegment>();
        RenderInto(line, segments);
        return segments;
    }

    private void RenderInto(string line, List<LogSegment>? segments)
    {
        var text = new StringBuilder();
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            if (c != Escape)
            {
                if (c == '\t' || !char.IsControl(c))
                {
                    text.Append(c);
                }
                i++;
                continue;
            }

            Flush(text, segments);
            i = SkipEscape(line, i);
        }
        Flush(text, segments);
    }

    /// <summary>Consumes the escape sequence at <paramref name="start"/>, applying it when it is SGR; returns the index after it.</summary>
    private int SkipEscape(string line, int start)
    {
        var i = start + 1;
        if (i >= line.Length)
        {
            return i;
        }
        switch (line[i])
        {
            case '[':
                var parameters = ++i;
                while (i < line.Length && line[i] is >= '0' and <= '?')
                {
                    i++;
                }
                while (i < line.Length && line[i] is >= ' ' and <= '/')
                {
                    i++;
                }
                if (i < line.Length)
                {
                    if (line[i] == 'm')
                    {
                        ApplySgr(line[parameters..i]);
                    }
                    i++;
                }
                return i;
            case ']':
                // OSC: up to BEL or ESC \ (string terminator).
                while (++i < line.Length)
                {
                    if (line[i] == '\a')
                    {
                        return i + 1;
                    }
                    if (line[i] == Escape && i + 1 < line.Length && line[i + 1] == '\\')
                    {
                        return i + 2;
                    }
                }
                return i;
            default:
                return i + 1;
        }
    }

    private void ApplySgr(string parameters)
    {
        var codes = parameters.Length == 0 ? [0] : parameters.Split(';').Select(ParseCode).ToArray();
        for (var i = 0; i < codes.Length; i++)
        {
            var code = codes[i];
            switch (code)
            {
                case 0:
                    _foreground = _background = null;
                    _bold = _faint = _italic = _underline = false;
                    break;
                case 1: _bold = true; break;
                case 2: _faint = true; break;
                case 3: _italic = true; break;
                case 4: _underline = true; break;
                case 22: _bold = _faint = false; break;
                case 23: _italic = false; break;
                case 24: _underline = false; break;
                case >= 30 and <= 37: _foreground = code - 30; break;
                case 39: _foreground = null; break;
                case >= 40 and <= 47: _background = code - 40; break;
                case 49: _background = null; break;
                case >= 90 and <= 97: _foreground = code - 90 + 8; break;
                case >= 100 and <= 107: _background = code - 100 + 8; break;
                case 38 or 48:
                    var colour = ExtendedColour(codes, ref i);
                    if (code == 38)
                    {
                        _foreground = colour;
                    }
                    else
                    {
                        _background = colour;
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// <c>38;5;n</c> or <c>38;2;r;g;b</c>: the first 16 of the 256 colours map onto the palette; the others
    /// and true colours fall back to the default colour rather than to an inline style.
    /// </summary>
    private static int? ExtendedColour(int[] codes, ref int i)
    {
        if (i + 1 >= codes.Length)
        {
            return null;
        }
        switch (codes[i + 1])
        {
            case 5 when i + 2 < codes.Length:
                var index = codes[i + 2];
                i += 2;
                return index is >= 0 and < 16 ? index : null;
            case 2:
                i = Math.Min(i + 4, codes.Length - 1);
                return null;
            default:
                i++;
                return null;
        }
    }

    private static int ParseCode(string code) =>
        int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;

    private void Flush(StringBuilder text, List<LogSegment>? segments)
    {
        if (text.Length == 0)
        {
            return;
        }
        segments?.Add(new LogSegment(text.ToString(), Classes()));
        text.Clear();
    }

    private string? Classes()
    {
        var classes = new List<string>(4);
        if (_foreground is { } fg)
        {
            classes.Add($"ansi-fg-{fg}");
        }
        if (_background is { } bg)
        {
            classes.Add($"ansi-bg-{bg}");
        }
        if (_bold)
        {
            classes.Add("ansi-bold");
        }
        if (_faint)
        {
            classes.Add("ansi-faint");
        }
        if (_italic)
        {
            classes.Add("ansi-italic");
        }
        if (_underline)
        {
            classes.Add("ansi-underline");
        }
        return classes.Count == 0 ? null : string.Join(' ', classes);
    }
}
