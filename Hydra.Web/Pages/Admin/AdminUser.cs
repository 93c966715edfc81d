namespace Hydra.Web.Pages.Admin;

/// <summary>A user as the admin page lists them: never the password hash.</summary>
public sealed record AdminUser(
    string UserName, string FullName, string EmailAddress, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt);
