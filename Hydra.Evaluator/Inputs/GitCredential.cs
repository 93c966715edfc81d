using Hydra.Core.Data.Entities;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// A stored credential for a private git input: an SSH private key or an HTTP bearer token
/// (<see cref="InputSecret.SshKey"/>, <see cref="InputSecret.Token"/>).
/// </summary>
public sealed record GitCredential(string Kind, string Secret)
{
    /// <summary>Never print the secret, even in a debugger or a log of the record.</summary>
    public override string ToString() => $"GitCredential {{ Kind = {Kind} }}";
}
