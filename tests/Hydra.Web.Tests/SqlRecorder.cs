using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace Hydra.Web.Tests;

/// <summary>An EF Core interceptor that keeps each command's text and a copy of its parameters, so a test can EXPLAIN it.</summary>
public sealed class SqlRecorder : DbCommandInterceptor
{
    private readonly ConcurrentQueue<RecordedCommand> _commands = new();

    public bool Recording { get; set; }

    public IReadOnlyList<RecordedCommand> Commands => [.. _commands];

    public void Clear() => _commands.Clear();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command);
        return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
    }

    private void Record(DbCommand command)
    {
        if (Recording && command is NpgsqlCommand npgsql)
        {
            _commands.Enqueue(new RecordedCommand(npgsql.CommandText, [.. npgsql.Parameters.Select(p => p.Clone())]));
        }
    }
}

public sealed record RecordedCommand(string Text, IReadOnlyList<NpgsqlParameter> Parameters);
