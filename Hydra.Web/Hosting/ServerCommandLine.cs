using System.CommandLine;
using Hydra.Core;
using Hydra.Core.CommandLine;
using Hydra.Core.Data;
using Hydra.Queue.Completion;
using Hydra.Queue.Workers;
using Hydra.Web.Auth;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Hosting;

/// <summary>
/// <c>hydra-server [serve] | migrate | create-user | create-worker | list-workers | disable-worker | enable-worker | clear-failed-cache | gc</c>. Configuration comes from
/// appsettings, environment (<c>ConnectionStrings__Hydra</c>, <c>Hydra__DataDir</c>, ...) and these flags.
/// </summary>
internal static class ServerCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var serve = ServeCommand();

        var migrate = new Command("migrate", "Apply pending schema migrations and exit.");
        migrate.SetAction(async (_, cancellationToken) =>
        {
            await using var app = BuildTool();
            var count = await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
            Console.Error.WriteLine(count == 0 ? "Schema is up to date." : $"Applied {count} migration(s).");
            return 0;
        });

        var createUser = CreateUserCommand();

        var workerName = new Argument<string>("name") { Description = "Worker name, e.g. aarch64-box-1." };
        var createWorker = new Command("create-worker", "Create a builder worker and print its token (shown once; running it again rotates the token).") { workerName };
        createWorker.SetAction(async (result, cancellationToken) =>
        {
            await using var app = BuildTool();
            await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
            var token = await app.Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync(result.GetValue(workerName)!, cancellationToken);
            Console.Out.WriteLine(token);
            Console.Error.WriteLine("Give this token to hydra-builder (--token-file); it is stored only as a hash.");
            return 0;
        });

        var listWorkers = new Command("list-workers", "List the builder workers: systems, running jobs, last seen, and whether they may claim (disabled, quarantined).");
        listWorkers.SetAction(async (_, cancellationToken) =>
        {
            await using var app = BuildTool();
            await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
            var workers = await app.Services.GetRequiredService<WorkerDirectory>().ListAsync(cancellationToken);
            Console.Out.Write(WorkerListing.Format(workers, app.Services.GetRequiredService<TimeProvider>().GetUtcNow()));
            return 0;
        });

        var disableWorker = WorkerSwitch("disable-worker", "Stop giving a worker new steps; what it runs now finishes. Its token stays valid.", enabled: false);
        var enableWorker = WorkerSwitch("enable-worker", "Give a disabled or quarantined worker steps again (this also lifts a quarantine).", enabled: true);

        var clearFailedCache = new Command("clear-failed-cache", "Forget every cached build failure, so failed derivations are built again when next needed.");
        clearFailedCache.SetAction(async (_, cancellationToken) =>
        {
            await using var app = BuildTool();
            await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
            var cleared = await app.Services.GetRequiredService<FailureCache>().ClearAsync(cancellationToken);
            Console.Error.WriteLine($"Cleared {cleared} cached failure(s).");
            return 0;
        });

        var gc = Gc.GcCommand.Create(BuildTool);

        var root = new RootCommand(
            "hydra-server: the build farm's web UI, API, binary cache, evaluator and queue. With no command, or options and settings only, it serves.")
        {
            serve, migrate, createUser, createWorker, listWorkers, disableWorker, enableWorker, clearFailedCache, gc,
        };
        // Plain "hydra-server" or "hydra-server --urls ..." serves, as a web host would; so does a word that names no
        // command, for serve to refuse as neither a command nor a setting.
        if (args.Length == 0 || !root.Subcommands.Any(c => c.Name == args[0]) && args[0] is not ("--help" or "-h" or "-?" or "--version"))
        {
            args = ["serve", .. args];
        }
        var parsed = root.Parse(args);
        if (UsageErrors.Report(parsed, Console.Error) is { } usageError)
        {
            return usageError;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is HydraConfigurationException or OptionsValidationException)
        {
            // What to set is the whole answer: no stack trace for a missing or wrong setting.
            await Console.Error.WriteLineAsync($"hydra-server: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As System.CommandLine's own handler did: the exception, exit 1.
            await Console.Error.WriteLineAsync($"Unhandled exception: {e}");
            return 1;
        }
    }

    /// <summary>
    /// <c>serve [--urls URL] [--roles R] [settings]</c>: what follows the options are settings
    /// (<see cref="ServerSettingArguments"/>); anything else is refused rather than ignored.
    /// </summary>
    private static Command ServeCommand()
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on, e.g. http://0.0.0.0:3000 (default from ASPNETCORE_URLS)." };
        var roles = new Option<string?>("--roles") { Description = "Roles to run: any of web,evaluator,queue (default all)." };
        var command = new Command("serve", """
            Run the server (applies migrations first).
            Settings may follow the options as --Section:Key=value, e.g. --Hydra:DataDir=/var/lib/hydra
            (or in the environment: Hydra__DataDir).
            """)
        {
            urls, roles,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (result, cancellationToken) =>
        {
            if (ServerSettingArguments.FindError(result.UnmatchedTokens) is { } error)
            {
                return UsageErrors.Report(result, error, Console.Error);
            }
            var settings = new List<string>(result.UnmatchedTokens);
            if (result.GetValue(urls) is { } u)
            {
                settings.AddRange(["--urls", u]);
            }
            if (result.GetValue(roles) is { } r)
            {
                settings.Add($"--Hydra:Roles={r}");
            }
            await HydraServer.Build([.. settings]).RunAsync(cancellationToken);
            return 0;
        });
        return command;
    }

    /// <summary>Hydra's <c>hydra-create-user</c>: roles are added unless <c>--wipe-roles</c>; unset fields are kept.</summary>
    private static Command CreateUserCommand()
    {
        var userName = new Argument<string>("name") { Description = "User name (letters, digits, '_', '-', '.', '@')." };
        var password = new Option<string?>("--password") { Description = "Password. Visible in the process list; prefer --password-stdin on shared machines." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input." };
        var fullName = new Option<string?>("--full-name") { Description = "The user's full name." };
        var email = new Option<string?>("--email-address") { Description = "The user's email address." };
        var userRoles = new Option<string[]>("--role")
        {
            Description = $"Grant a role; repeatable. One of: {string.Join(", ", HydraRoles.All)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var admin = new Option<bool>("--admin") { Description = "Grant the admin role (same as --role admin)." };
        var wipeRoles = new Option<bool>("--wipe-roles") { Description = "Remove the user's roles before granting those given (none given: no roles)." };
        var command = new Command("create-user", """
            Create a user, or update an existing one: only the options given change anything, and roles are
            added to the user's roles unless --wipe-roles is given. A new user needs a password.
            Examples:
              hydra-server create-user alice --password-stdin --admin < password.txt
              hydra-server create-user bob --password 's3cret' --role create-projects --role restart-jobs
              hydra-server create-user bob --wipe-roles --role eval-jobset
            """)
        {
            userName, password, passwordStdin, fullName, email, userRoles, admin, wipeRoles,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (result.GetValue(password) is not null && result.GetValue(passwordStdin))
            {
                Console.Error.WriteLine("error: give --password or --password-stdin, not both.");
                return 2;
            }
            var roles = (result.GetValue(userRoles) ?? []).ToList();
            if (result.GetValue(admin))
            {
                roles.Add(HydraRoles.Admin);
            }
            var change = new UserChange(result.GetValue(userName)!)
            {
                Password = result.GetValue(passwordStdin) ? Console.In.ReadLine()?.TrimEnd('\r') : result.GetValue(password),
                FullName = result.GetValue(fullName),
                EmailAddress = result.GetValue(email),
                Roles = roles,
                WipeRoles = result.GetValue(wipeRoles),
            };
            await using var app = BuildTool();
            await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
            await using var scope = app.Services.CreateAsyncScope();
            try
            {
                var user = await scope.ServiceProvider.GetRequiredService<UserService>().SaveAsync(change, cancellationToken);
                Console.Error.WriteLine($"User '{user.UserName}' saved with roles: {(user.Roles.Length == 0 ? "(none)" : string.Join(", ", user.Roles))}.");
                return 0;
            }
            catch (ArgumentException exception)
            {
                Console.Error.WriteLine($"error: {exception.Message}");
                return 2;
            }
        });
        return command;
    }

    private static Command WorkerSwitch(string name, string description, bool enabled)
    {
        var workerName = new Argument<string>("name") { Description = "Worker name, as given to create-worker." };
        var command = new Command(name, description) { workerName };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var app = BuildTool();
            await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
            var worker = result.GetValue(workerName)!;
            if (!await app.Services.GetRequiredService<WorkerDirectory>().SetEnabledAsync(worker, enabled, cancellationToken))
            {
                Console.Error.WriteLine($"error: no worker named '{worker}'; see list-workers.");
                return 2;
            }
            Console.Error.WriteLine($"Worker '{worker}' {(enabled ? "enabled" : "disabled")}.");
            return 0;
        });
        return command;
    }

    /// <summary>The service container without background loops or migrations at start, for one-shot commands.</summary>
    private static WebApplication BuildTool() =>
        HydraServer.Build(["--Hydra:Roles=web", "--Hydra:MigrateOnStart=false", "--Serilog:MinimumLevel:Default=Warning"]);
}
