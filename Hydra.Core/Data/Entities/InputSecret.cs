namespace Hydra.Core.Data.Entities;

/// <summary>
/// A credential for one jobset input (a private git repository). <see cref="Kind"/> is
/// <c>ssh-key</c> (a private key) or <c>token</c> (sent as an HTTP bearer token). Never returned by the API.
/// </summary>
public sealed class InputSecret
{
    public const string SshKey = "ssh-key";
    public const string Token = "token";

    public long JobsetId { get; set; }
    public required string InputName { get; set; }
    public required string Kind { get; set; }
    public required string Secret { get; set; }
}
