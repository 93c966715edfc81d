using System.Text;

namespace Hydra.Core.Nix;

/// <summary>
/// A forward-only reader over the ATerm subset Nix writes to <c>.drv</c> files: tuples, lists and
/// double-quoted strings. Every failure names the character offset it happened at.
/// </summary>
internal ref struct AtermReader
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;

    public AtermReader(ReadOnlySpan<char> text)
    {
        _text = text;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly bool AtEnd => _position >= _text.Length;

    /// <summary>Consumes <paramref name="literal"/> or throws.</summary>
    public void Expect(string literal)
    {
        if (!_text[_position..].StartsWith(literal, StringComparison.Ordinal))
        {
            throw Error($"expected '{literal}'");
        }

        _position += literal.Length;
    }

    /// <summary>Consumes <paramref name="c"/> or throws.</summary>
    public void Expect(char c)
    {
        if (_position >= _text.Length || _text[_position] != c)
        {
            throw Error($"expected '{c}'");
        }

        _position++;
    }

    /// <summary>Consumes <paramref name="c"/> if it is next.</summary>
    public bool TryConsume(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }

        return false;
    }

    /// <summary>Skips spaces, tabs and line breaks.</summary>
    public void SkipWhitespace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    /// <summary>
    /// Moves into the next list element: true before an element (consuming the separating comma),
    /// false after consuming the closing bracket. <paramref name="first"/> tracks the comma rule.
    /// </summary>
    public bool NextListItem(ref bool first)
    {
        if (TryConsume(']'))
        {
            return false;
        }

        if (!first)
        {
            Expect(',');
        }

        first = false;
        return true;
    }

    /// <summary>Reads a double-quoted string with Nix's escapes: <c>\" \\ \n \r \t</c>.</summary>
    public string ReadString()
    {
        Expect('"');
        var rest = _text[_position..];
        var stop = rest.IndexOfAny('"', '\\');
        if (stop < 0)
        {
            throw Error("unterminated string", _text.Length);
        }

        // Most strings have no escapes: slice them directly.
        if (rest[stop] == '"')
        {
            _position += stop + 1;
            return rest[..stop].ToString();
        }

        var builder = new StringBuilder(stop + 16);
        while (true)
        {
            rest = _text[_position..];
            stop = rest.IndexOfAny('"', '\\');
            if (stop < 0)
            {
                throw Error("unterminated string", _text.Length);
            }

            builder.Append(rest[..stop]);
            _position += stop;
            if (_text[_position] == '"')
            {
                _position++;
                return builder.ToString();
            }

            if (_position + 1 >= _text.Length)
            {
                throw Error("unterminated escape");
            }

            builder.Append(_text[_position + 1] switch
            {
                '"' => '"',
                '\\' => '\\',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                var other => throw Error($"invalid escape '\\{other}'"),
            });
            _position += 2;
        }
    }

    /// <summary>Reads a list of strings: <c>["a","b"]</c>.</summary>
    public List<string> ReadStringList()
    {
        Expect('[');
        var items = new List<string>();
        var first = true;
        while (NextListItem(ref first))
        {
            items.Add(ReadString());
        }

        return items;
    }

    public readonly FormatException Error(string message) => Error(message, _position);

    private static FormatException Error(string message, int offset) =>
        new($"Malformed derivation at offset {offset}: {message}.");
}
