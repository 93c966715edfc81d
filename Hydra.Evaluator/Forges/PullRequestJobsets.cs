using System.Data;
using Hydra.Evaluator.Inputs;
using Hydra.Evaluator.Jobsets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Hydra.Evaluator.Forges;

/// <summary>
/// Keeps one jobset per open pull request of each jobset with a <c>pullrequests</c> input: created (or
/// enabled again) when the pull request is open, its followed input pointed at the pull request's head ref,
/// triggered when the head commit changed, disabled (never deleted) when it closed. Webhook events and the
/// periodic poll both call it; every change is idempotent, so the two may race on one pull request.
/// </summary>
public sealed partial class PullRequestJobsets(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<PullRequestJobsets> logger)
{
    /// <summary>Enabled jobsets of enabled projects that follow pull requests, optionally only those following one repository.</summary>
    public async Task<IReadOnlyList<PullRequestTemplate>> TemplatesAsync(string? forge, string? repository, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT j.id, p.name, j.name, i.value, j.type = 1, j.flake, j.nix_expr_input
            FROM jobsets j JOIN projects p ON p.id = j.project_id JOIN jobset_inputs i ON i.jobset_id = j.id AND i.type = $1
            WHERE j.enabled <> 0 AND p.enabled AND j.pull_request_of IS NULL
            ORDER BY j.id
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = PullRequestSource.InputType });
        var templates = new List<PullRequestTemplate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (PullRequestSource.TryParse(reader.GetString(3)) is not { } source
                || (forge is not null && repository is not null && !source.Follows(forge, repository)))
            {
                continue;
            }
            templates.Add(new PullRequestTemplate(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), source,
                reader.GetBoolean(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return templates;
    }

    /// <summary>
    /// Makes the open pull requests' jobsets exist and point at their heads, and disables the template's other
    /// pull-request jobsets; returns the "project:jobset" names triggered for an evaluation.
    /// </summary>
    public async Task<IReadOnlyList<string>> SyncAsync(PullRequestTemplate template, IReadOnlyList<OpenPullRequest> open, CancellationToken cancellationToken)
    {
        var triggered = new List<string>();
        foreach (var pullRequest in open)
        {
            triggered.AddRange(await OpenAsync(template, pullRequest, cancellationToken));
        }
        await using var close = dataSource.CreateCommand(
            "UPDATE jobsets SET enabled = 0 WHERE pull_request_of = $1 AND enabled <> 0 AND NOT (pull_request_number = ANY($2)) RETURNING name");
        close.Parameters.Add(new NpgsqlParameter<long> { TypedValue = template.JobsetId });
        close.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = open.Select(p => p.Number).ToArray() });
        await using var reader = await close.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            LogDisabled(template.Project, reader.GetString(0));
        }
        return triggered;
    }

    /// <summary>The pull request is open with this head: create, enable or update its jobset. Returns the jobset when it was triggered.</summary>
    public async Task<IReadOnlyList<string>> OpenAsync(PullRequestTemplate template, OpenPullRequest pullRequest, CancellationToken cancellationToken)
    {
        var headRef = template.Source.HeadRef(pullRequest.Number);
        string? flake = null;
        var followed = template.Source.Input ?? template.NixExprInput;
        if (template.IsFlake)
        {
            flake = template.Flake is null ? null : PullRequestFlake.WithRef(template.Flake, headRef);
            if (flake is null)
            {
                LogCannotFollow(template.Project, template.Jobset, "its flake URL is not a git URL");
                return [];
            }
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        string? followedValue = null;
        if (!template.IsFlake)
        {
            var value = await ScalarAsync<string>(connection, transaction,
                "SELECT value FROM jobset_inputs WHERE jobset_id = $1 AND name = $2 AND type = 'git'", cancellationToken, template.JobsetId, followed ?? "");
            if (value is null)
            {
                LogCannotFollow(template.Project, template.Jobset, $"it has no git input '{followed}' to point at the pull requests");
                return [];
            }
            followedValue = AtRef(value, headRef);
        }

        var name = template.JobsetName(pullRequest.Number);
        var description = $"Pull request #{pullRequest.Number}: {pullRequest.Title}";
        var now = clock.GetUtcNow();
        // Update first (found by pull request, so a renamed template keeps its jobsets); else insert, and when a
        // concurrent call inserted first (the name conflicts), update what it made.
        var row = await UpdateAsync(connection, transaction, template, pullRequest, description, flake, now, cancellationToken);
        var inserted = false;
        if (row is null)
        {
            inserted = 1 == await ExecuteAsync(connection, transaction,
                """
                INSERT INTO jobsets (project_id, name, description, type, nix_expr_input, nix_expr_path, flake, enabled, hidden, check_interval,
                                     scheduling_shares, keep_nr, email_override, enable_email, trigger_time, created_at,
                                     pull_request_of, pull_request_number, pull_request_head)
                SELECT project_id, $2, $3, type, nix_expr_input, nix_expr_path, $4, 1, hidden, check_interval,
                       scheduling_shares, keep_nr, email_override, enable_email, $5, $5, id, $6, $7
                FROM jobsets WHERE id = $1
                ON CONFLICT DO NOTHING
                """, cancellationToken, template.JobsetId, name, description, (object?)flake ?? DBNull.Value, now, pullRequest.Number, pullRequest.HeadSha);
            row = await UpdateAsync(connection, transaction, template, pullRequest, description, flake, now, cancellationToken);
        }
        if (row is not { } jobset)
        {
            LogNameTaken(template.Project, name);
            return [];
        }
        var triggered = inserted || jobset.Triggered;

        // The inputs are the template's, less the pullrequests input, with the followed one at the head ref;
        // credentials of private inputs come along.
        await ExecuteAsync(connection, transaction, "DELETE FROM jobset_inputs WHERE jobset_id = $1", cancellationToken, jobset.Id);
        await ExecuteAsync(connection, transaction,
            """
            INSERT INTO jobset_inputs (jobset_id, name, type, value, email_responsible)
            SELECT $1, name, type, CASE WHEN name = $3 AND $4::text IS NOT NULL THEN $4 ELSE value END, email_responsible
            FROM jobset_inputs WHERE jobset_id = $2 AND type <> $5
            """, cancellationToken, jobset.Id, template.JobsetId, followed ?? "", (object?)followedValue ?? DBNull.Value, PullRequestSource.InputType);
        await ExecuteAsync(connection, transaction,
            """
            INSERT INTO input_secrets (jobset_id, input_name, kind, secret)
            SELECT $1, s.input_name, s.kind, s.secret FROM input_secrets s
            WHERE s.jobset_id = $2 AND EXISTS (SELECT 1 FROM jobset_inputs i WHERE i.jobset_id = $1 AND i.name = s.input_name)
            """, cancellationToken, jobset.Id, template.JobsetId);
        if (triggered)
        {
            await ExecuteAsync(connection, transaction, $"SELECT pg_notify('{JobsetTrigger.Channel}', '')", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        if (!triggered)
        {
            return [];
        }
        LogOpened(template.Project, name, pullRequest.HeadSha);
        return [$"{template.Project}:{name}"];
    }

    /// <summary>The pull request closed (or merged): disable its jobset, keeping its evaluations and builds.</summary>
    public async Task<bool> CloseAsync(PullRequestTemplate template, int number, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE jobsets SET enabled = 0 WHERE pull_request_of = $1 AND pull_request_number = $2 AND enabled <> 0 RETURNING name");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = template.JobsetId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = number });
        if (await command.ExecuteScalarAsync(cancellationToken) is string name)
        {
            LogDisabled(template.Project, name);
            return true;
        }
        return false;
    }

    /// <summary>A git input value at another ref, keeping its options.</summary>
    public static string AtRef(string gitValue, string headRef)
    {
        var input = GitInputValue.Parse(gitValue);
        return $"{input.Url} {headRef}" + (input.DeepClone ? " deepClone=true" : "") + (input.Submodules ? " submodules=true" : "");
    }

    private sealed record JobsetRow(long Id, bool Triggered);

    /// <summary>
    /// Enables the pull request's jobset and records the head; triggers an evaluation when the head moved or the
    /// jobset was disabled (a reopened pull request). Null when the jobset does not exist yet.
    /// </summary>
    private static async Task<JobsetRow?> UpdateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, PullRequestTemplate template,
        OpenPullRequest pullRequest, string description, string? flake, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            WITH prev AS (SELECT id, enabled, pull_request_head, trigger_time FROM jobsets
                         WHERE pull_request_of = $1 AND pull_request_number = $2 FOR UPDATE)
            UPDATE jobsets j SET
                enabled = CASE WHEN prev.enabled = 0 THEN 1 ELSE prev.enabled END,
                pull_request_head = $3, description = $4, flake = coalesce($5, j.flake),
                trigger_time = CASE WHEN prev.enabled = 0 OR prev.pull_request_head IS DISTINCT FROM $3 THEN coalesce(prev.trigger_time, $6) ELSE prev.trigger_time END
            FROM prev WHERE j.id = prev.id
            RETURNING j.id, prev.enabled = 0 OR prev.pull_request_head IS DISTINCT FROM $3
            """, connection, transaction);
        Add(command, template.JobsetId, pullRequest.Number, pullRequest.HeadSha, description, (object?)flake ?? DBNull.Value, now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new JobsetRow(reader.GetInt64(0), reader.GetBoolean(1)) : null;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        Add(command, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        Add(command, parameters);
        return await command.ExecuteScalarAsync(cancellationToken) is T value ? value : default;
    }

    private static void Add(NpgsqlCommand command, params object[] parameters)
    {
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Pull-request jobset {Project}:{Jobset} follows head {Revision}")]
    private partial void LogOpened(string project, string jobset, string revision);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Information, Message = "Pull-request jobset {Project}:{Jobset} disabled: its pull request is closed")]
    private partial void LogDisabled(string project, string jobset);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Warning, Message = "Jobset {Project}:{Jobset} cannot follow pull requests: {Reason}")]
    private partial void LogCannotFollow(string project, string jobset, string reason);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "No pull-request jobset {Project}:{Jobset}: a jobset of that name exists and follows no pull request")]
    private partial void LogNameTaken(string project, string jobset);
}
