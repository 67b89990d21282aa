using System.Data;
using System.Data.Common;

namespace Aar.Server.Data;

/// <summary>Provider-neutral parameters: <c>DbParameterCollection</c> has no <c>AddWithValue</c>.</summary>
internal static class DbCommandExtensions
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static void Add(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>
    /// A parameter that may be null. The type is given because PostgreSQL cannot infer the type of a bare null
    /// (e.g. in <c>@name IS NULL</c>).
    /// </summary>
    public static void AddNullable(this DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
