using System.Text;
using Hydra.Core.Nix;

namespace Hydra.Evaluator.Ingestion;

/// <summary>
/// A <c>.drv</c> file read once: its bytes (the NAR the cache serves is built from them) and its parsed
/// form (for the step graph). The planner reads each file of a batch once and hands them to the cache push.
/// </summary>
public sealed record DerivationFile(byte[] Contents, Derivation Derivation)
{
    /// <summary>Reads and parses <paramref name="file"/>.</summary>
    /// <exception cref="FormatException">The file is not a well-formed derivation; the message names the file and offset.</exception>
    public static DerivationFile Read(string file)
    {
        var contents = File.ReadAllBytes(file);
        try
        {
            return new DerivationFile(contents, DerivationParser.Parse(Encoding.UTF8.GetString(contents)));
        }
        catch (FormatException e)
        {
            throw new FormatException($"{file}: {e.Message}", e);
        }
    }
}
