using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;
using YamlDotNet.Serialization;

namespace Aar.Cli.Common;

/// <summary>
/// Renders rows in the chosen <see cref="OutputFormat"/>. Tables are for people (and may abbreviate); csv, json and
/// yaml carry every value in full for scripts.
/// </summary>
public static class DataWriter
{
    // Strings that YAML would read back as another type ("false", "1.0", an all-digit fingerprint) are quoted, so
    // scripts get back exactly the text we wrote.
    private static readonly ISerializer Yaml = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().Build();

    public static void WriteTable(CliConsole console, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Border(TableBorder.Ascii);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)).NoWrap());
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
        }

        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        // Piped output has no terminal width; never wrap cells a script or a person may copy.
        ansi.Profile.Width = 400;
        ansi.Write(table);
    }

    public static void WriteCsv(CliConsole console, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Out.WriteLine(string.Join(',', headers.Select(Quote)));
        foreach (var row in rows)
        {
            console.Out.WriteLine(string.Join(',', row.Select(Quote)));
        }
    }

    public static void WriteJson<T>(CliConsole console, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Out.WriteLine(JsonSerializer.Serialize(value, typeInfo));
    }

    /// <summary>Writes YAML from plain dictionaries/lists so key names are exactly what the caller chose.</summary>
    public static void WriteYaml(CliConsole console, object value)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Out.Write(Yaml.Serialize(value));
    }

    private static string Quote(string value)
    {
        if (value.IndexOfAny([',', '"', '\n', '\r']) < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        builder.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal));
        return builder.Append('"').ToString();
    }
}
