namespace Hydra.Web.Auth;

/// <summary>What to set on a user; null fields are left as they are (see <see cref="UserService.SaveAsync"/>).</summary>
public sealed record UserChange(string UserName)
{
    public string? Password { get; init; }

    public string? FullName { get; init; }

    public string? EmailAddress { get; init; }

    /// <summary>Roles to grant; with <see cref="WipeRoles"/> they replace the user's roles, else they are added.</summary>
    public IReadOnlyCollection<string> Roles { get; init; } = [];

    public bool WipeRoles { get; init; }
}
