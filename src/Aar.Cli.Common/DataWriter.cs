using System.Text;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Aar.Cli.Common;

/// <summary>
/// Renders data in the chosen <see cref="OutputFormat"/>. Tables are for people (human units, short fingerprints);
/// csv, json and yaml carry every value in full for scripts. JSON and YAML come from one tree (<see cref="MachineOutput"/>),
/// so the two cannot disagree about keys or shapes.
/// </summary>
public static class DataWriter
{
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

    /// <summary>
    /// Writes <paramref name="value"/> as JSON or YAML (<paramref name="format"/> must be one of them): snake_case keys
    /// (the serializer context's policy), RFC 3339 UTC times, JSON indented.
    /// </summary>
    public static void Write<T>(CliConsole console, OutputFormat format, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(console);
        var node = MachineOutput.ToNode(value, typeInfo);
        switch (format)
        {
            case OutputFormat.Json:
                console.Out.WriteLine(MachineOutput.Json(node));
                break;
            case OutputFormat.Yaml:
                console.Out.Write(MachineOutput.Yaml(node));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Only json and yaml are written from a serializer model.");
        }
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
