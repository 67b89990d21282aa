namespace Aar.Cli.Common;

/// <summary>
/// Where a command reads and writes. Commands never touch <see cref="Console"/> directly, so tests run them
/// in-process and read exactly what an operator would see.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, TextReader In, bool InputRedirected, bool OutputIsTerminal)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error, Console.In, Console.IsInputRedirected, !Console.IsOutputRedirected);

    /// <summary>The same console with stdout and stderr passed through a <see cref="TerminalSafeWriter"/>.</summary>
    public CliConsole WithTerminalSafeOutput() =>
        Out is TerminalSafeWriter ? this : this with { Out = new TerminalSafeWriter(Out), Error = new TerminalSafeWriter(Error) };
}
