namespace Hydra.Core.Nix;

/// <summary>
/// Parses store derivations in Nix's ATerm form:
/// <c>Derive([outputs],[inputDrvs],[inputSrcs],"system","builder",[args],[env])</c>.
/// </summary>
public static class DerivationParser
{
    /// <summary>Parses the text of a <c>.drv</c> file.</summary>
    /// <exception cref="FormatException">The text is not a well-formed derivation; the message gives the offset.</exception>
    public static Derivation Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new AtermReader(text);
        reader.Expect("Derive(");

        var outputs = ReadOutputs(ref reader);
        reader.Expect(',');
        var inputDrvs = ReadInputDrvs(ref reader);
        reader.Expect(',');
        var inputSrcs = reader.ReadStringList();
        reader.Expect(',');
        var system = reader.ReadString();
        reader.Expect(',');
        var builder = reader.ReadString();
        reader.Expect(',');
        var args = reader.ReadStringList();
        reader.Expect(',');
        var env = ReadEnv(ref reader);
        reader.Expect(')');

        // Nix writes no trailing newline, but a file edited or piped by hand may have one.
        reader.SkipWhitespace();
        if (!reader.AtEnd)
        {
            throw reader.Error("unexpected text after the derivation");
        }

        return new Derivation
        {
            Outputs = outputs,
            InputDrvs = inputDrvs,
            InputSrcs = inputSrcs,
            System = system,
            Builder = builder,
            Args = args,
            Env = env,
        };
    }

    /// <summary>Reads and parses a <c>.drv</c> file.</summary>
    /// <exception cref="FormatException">The file is not a well-formed derivation; the message names the file and offset.</exception>
    public static async Task<Derivation> ParseFileAsync(string path, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{path}: {e.Message}", e);
        }
    }

    private static Dictionary<string, DerivationOutput> ReadOutputs(ref AtermReader reader)
    {
        reader.Expect('[');
        var outputs = new Dictionary<string, DerivationOutput>(StringComparer.Ordinal);
        var first = true;
        while (reader.NextListItem(ref first))
        {
            var start = reader.Position;
            reader.Expect('(');
            var name = reader.ReadString();
            reader.Expect(',');
            var path = reader.ReadString();
            reader.Expect(',');
            var hashAlgo = reader.ReadString();
            reader.Expect(',');
            var hash = reader.ReadString();
            reader.Expect(')');
            if (!outputs.TryAdd(name, new DerivationOutput(path, hashAlgo, hash)))
            {
                throw new FormatException($"Malformed derivation at offset {start}: duplicate output '{name}'.");
            }
        }

        return outputs;
    }

    private static Dictionary<string, IReadOnlyList<string>> ReadInputDrvs(ref AtermReader reader)
    {
        reader.Expect('[');
        var inputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var first = true;
        while (reader.NextListItem(ref first))
        {
            var start = reader.Position;
            reader.Expect('(');
            var path = reader.ReadString();
            reader.Expect(',');
            var outputNames = reader.ReadStringList();
            reader.Expect(')');
            if (!inputs.TryAdd(path, outputNames))
            {
                throw new FormatException($"Malformed derivation at offset {start}: duplicate input derivation '{path}'.");
            }
        }

        return inputs;
    }

    private static Dictionary<string, string> ReadEnv(ref AtermReader reader)
    {
        reader.Expect('[');
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var first = true;
        while (reader.NextListItem(ref first))
        {
            var start = reader.Position;
            reader.Expect('(');
            var key = reader.ReadString();
            reader.Expect(',');
            var value = reader.ReadString();
            reader.Expect(')');
            if (!env.TryAdd(key, value))
            {
                throw new FormatException($"Malformed derivation at offset {start}: duplicate environment variable '{key}'.");
            }
        }

        return env;
    }
}
