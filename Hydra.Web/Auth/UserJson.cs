using Hydra.Core.Data.Entities;

namespace Hydra.Web.Auth;

/// <summary>The user as Hydra's <c>/login</c> and <c>/current-user</c> return it.</summary>
public sealed record UserJson(string UserName, string FullName, string EmailAddress, IReadOnlyList<string> UserRoles)
{
    public static UserJson From(User user) => new(user.UserName, user.FullName, user.EmailAddress, user.Roles);
}
