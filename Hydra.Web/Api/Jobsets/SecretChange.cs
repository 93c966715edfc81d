namespace Hydra.Web.Api.Jobsets;

/// <summary>A new credential for an input (<see cref="Kind"/> ssh-key or token), or its removal when <see cref="Secret"/> is empty.</summary>
internal sealed record SecretChange(string Kind, string Secret)
{
    public bool Removes => Secret.Length == 0;

    /// <summary>Keeps the secret out of logs and debugger views.</summary>
    public override string ToString() => Removes ? "SecretChange { remove }" : $"SecretChange {{ Kind = {Kind} }}";
}
