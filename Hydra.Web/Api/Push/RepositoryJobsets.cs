using Hydra.Core.Git;
using Hydra.Evaluator.Inputs;
using Npgsql;

namespace Hydra.Web.Api.Push;

/// <summary>
/// The enabled jobsets (of enabled projects) whose git inputs or flake point at a repository. A LIKE on the
/// repository's path (wildcards escaped) narrows the rows; each candidate's URL is then compared exactly by
/// <see cref="RepositoryUrl.Key"/>, so <c>o/r</c> matches neither <c>o/r2</c> nor <c>x/o/r</c>. Pull-request
/// jobsets are left out: their pull request's own events move them.
/// </summary>
internal sealed class RepositoryJobsets(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<(string Project, string Jobset)>> FindAsync(IReadOnlyList<string> repositoryUrls, CancellationToken cancellationToken)
    {
        var keys = repositoryUrls.Select(url => RepositoryUrl.Parse(url)?.Key).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return [];
        }
        await using var command = dataSource.CreateCommand(
            """
            SELECT p.name, j.name, CASE WHEN j.type = 1 THEN j.flake ELSE i.value END, j.type = 1
            FROM jobsets j JOIN projects p ON p.id = j.project_id
            LEFT JOIN jobset_inputs i ON i.jobset_id = j.id AND i.type = 'git' AND j.type = 0
            WHERE j.enabled <> 0 AND p.enabled AND j.pull_request_of IS NULL
              AND ((j.type = 1 AND j.flake ILIKE ANY ($1)) OR i.value ILIKE ANY ($1))
            ORDER BY p.name, j.name
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = keys.Select(LikePattern).Distinct().ToArray() });
        var found = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (project, jobset) = (reader.GetString(0), reader.GetString(1));
            if (!found.Contains((project, jobset)) && UrlOf(reader.GetString(2), isFlake: reader.GetBoolean(3)) is { } url
                && RepositoryUrl.Parse(url)?.Key is { } key && keys.Contains(key))
            {
                found.Add((project, jobset));
            }
        }
        return found;
    }

    /// <summary>The repository path of a <see cref="RepositoryUrl.Key"/> to look for in stored URLs with LIKE, wildcards escaped.</summary>
    internal static string LikePattern(string key)
    {
        var path = key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..];
        return "%" + path.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";
    }

    private static string? UrlOf(string value, bool isFlake)
    {
        if (isFlake)
        {
            return value;
        }
        try
        {
            return GitInputValue.Parse(value).Url;
        }
        catch (InputFetchException)
        {
            return null;
        }
    }
}
