using System.Security.Claims;
using System.Text.RegularExpressions;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Auth;

/// <summary>
/// Local users in the <c>users</c> table: creation (the <c>create-user</c> CLI calls
/// <see cref="CreateOrUpdateUserAsync"/>), password checks and the claims of a signed-in user.
/// Passwords are stored with ASP.NET Core's <see cref="PasswordHasher{TUser}"/> (PBKDF2).
/// </summary>
public sealed partial class UserService(HydraDbContext db, TimeProvider timeProvider)
{
    private static readonly PasswordHasher<User> Hasher = new();

    /// <summary>
    /// Creates the user, or updates an existing one. A null <paramref name="password"/> keeps the
    /// current password (required for a new user); <paramref name="roles"/> replaces the user's roles.
    /// Throws <see cref="ArgumentException"/> for an invalid name, unknown role or missing password.
    /// </summary>
    public Task<User> CreateOrUpdateUserAsync(
        string userName, string? password, IReadOnlyCollection<string> roles, CancellationToken cancellationToken) =>
        SaveAsync(new UserChange(userName) { Password = password, Roles = roles, WipeRoles = true }, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> (what <c>hydra-server create-user</c> asks for): creates the user or
    /// updates only the fields it sets. Throws <see cref="ArgumentException"/> for an invalid name, unknown
    /// role or a new user without a password.
    /// </summary>
    public async Task<User> SaveAsync(UserChange change, CancellationToken cancellationToken)
    {
        var userName = change.UserName;
        if (!UserNamePattern().IsMatch(userName))
        {
            throw new ArgumentException($"Invalid user name '{userName}': use letters, digits, '_', '-', '.', '@', '+'.", nameof(change));
        }
        var unknown = change.Roles.Where(r => !HydraRoles.All.Contains(r)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Unknown role(s) {string.Join(", ", unknown)}; known roles: {string.Join(", ", HydraRoles.All)}.", nameof(change));
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken);
        if (user is null)
        {
            if (string.IsNullOrEmpty(change.Password))
            {
                throw new ArgumentException("A new user needs a password.", nameof(change));
            }
            user = new User { UserName = userName, PasswordHash = "", CreatedAt = timeProvider.GetUtcNow() };
            db.Users.Add(user);
        }
        if (!string.IsNullOrEmpty(change.Password))
        {
            user.PasswordHash = Hasher.HashPassword(user, change.Password);
        }
        user.FullName = change.FullName ?? user.FullName;
        user.EmailAddress = change.EmailAddress ?? user.EmailAddress;
        user.Roles = (change.WipeRoles ? change.Roles : user.Roles.Concat(change.Roles)).Distinct().ToArray();
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>
    /// The user an outside sign-in (GitHub) names, created without roles or password on first sight. Such a
    /// user signs in only that way: an empty password hash matches no password.
    /// </summary>
    public async Task<User> FindOrCreateExternalAsync(string userName, CancellationToken cancellationToken)
    {
        if (!UserNamePattern().IsMatch(userName))
        {
            throw new ArgumentException($"'{userName}' cannot be a user name.", nameof(userName));
        }
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken);
        if (user is null)
        {
            user = new User { UserName = userName, EmailAddress = userName, PasswordHash = "", CreatedAt = timeProvider.GetUtcNow() };
            db.Users.Add(user);
            await db.SaveChangesAsync(cancellationToken);
        }
        return user;
    }

    /// <summary>The user when the password matches, else null. Upgrades outdated hashes on the way.</summary>
    public async Task<User?> CheckPasswordAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken);
        if (user is null)
        {
            // Hash anyway so a missing user costs as much time as a wrong password.
            Hasher.HashPassword(new User { UserName = userName, PasswordHash = "" }, password);
            return null;
        }
        var result = Hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed || user.DisabledAt is not null)
        {
            return null;
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = Hasher.HashPassword(user, password);
            await db.SaveChangesAsync(cancellationToken);
        }
        return user;
    }

    /// <summary>
    /// Disables the user (sign-in, session and API tokens refused from the next request on: see
    /// <see cref="CurrentUserClaims"/>) or enables them again. False when there is no such user.
    /// </summary>
    public async Task<bool> SetDisabledAsync(string userName, bool disabled, CancellationToken cancellationToken)
    {
        DateTimeOffset? since = disabled ? timeProvider.GetUtcNow() : null;
        // Disabling twice keeps the first time; the page says since when.
        return await db.Users.Where(u => u.UserName == userName)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.DisabledAt, u => disabled ? u.DisabledAt ?? since : null), cancellationToken) == 1;
    }

    public Task<User?> FindAsync(string userName, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == userName, cancellationToken);

    /// <summary>The cookie principal: the user name and one role claim per Hydra role.</summary>
    public static ClaimsPrincipal CreatePrincipal(User user)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, user.UserName) };
        claims.AddRange(user.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
    }

    [GeneratedRegex("^[A-Za-z0-9_.@+-]+$")]
    private static partial Regex UserNamePattern();
}
