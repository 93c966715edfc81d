namespace Hydra.Core.Data.Entities;

/// <summary>A local user. Roles follow Hydra's names (admin, create-projects, ...).</summary>
public sealed class User
{
    public long Id { get; set; }
    public required string UserName { get; set; }
    public string FullName { get; set; } = "";
    public string EmailAddress { get; set; } = "";
    public required string PasswordHash { get; set; }
    public string[] Roles { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When an admin disabled the user (no sign-in, sessions and API tokens refused); null while enabled.</summary>
    public DateTimeOffset? DisabledAt { get; set; }
}
