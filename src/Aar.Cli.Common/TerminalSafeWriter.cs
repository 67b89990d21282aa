using System.Text;

namespace Aar.Cli.Common;

/// <summary>
/// Passes text on without what a terminal would obey rather than show: C0 controls other than tab and newline (a
/// carriage return can overwrite a line), DEL, C1 controls, whole escape sequences (CSI such as <c>ESC [ 2 J</c>;
/// OSC, DCS and the other string sequences up to their terminator or the end of the line) and bidirectional
/// overrides and isolates (which reorder what is shown). Names, descriptions and problem details reach the CLI from
/// a registry and from packages; a hostile one could otherwise clear the screen, retitle the window, hide text or
/// make one name look like another. The whole output of a command goes through it, so no print path is missed.
/// </summary>
public sealed class TerminalSafeWriter : TextWriter
{
    private readonly TextWriter _inner;

    public TerminalSafeWriter(TextWriter inner)
        : base(inner?.FormatProvider)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    private enum State
    {
        Text,
        Escape,
        ControlSequence,
        ControlString,
        ControlStringEscape,
    }

    private State _state;

    public override Encoding Encoding => _inner.Encoding;

    /// <summary>Filters one string the same way, for callers that hold text rather than a writer.</summary>
    public static string Clean(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var output = new StringWriter();
        using var writer = new TerminalSafeWriter(output);
        writer.Write(text);
        return output.ToString();
    }

    public override void Write(char value)
    {
        if (Keep(value))
        {
            _inner.Write(value);
        }
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        Write(buffer.AsSpan(index, count));
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        var start = 0;
        for (var i = 0; i < buffer.Length; i++)
        {
            if (_state == State.Text && !IsSpecial(buffer[i]))
            {
                continue;
            }

            _inner.Write(buffer[start..i]);
            start = i + 1;
            if (Keep(buffer[i]))
            {
                _inner.Write(buffer[i]);
            }
        }

        _inner.Write(buffer[start..]);
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(CoreNewLine);
    }

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        WriteLine();
        return Task.CompletedTask;
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync() => _inner.FlushAsync();

    private static bool IsSpecial(char c) =>
        (c < 0x20 && c is not '\t' and not '\n') || c is >= '\u007F' and <= '\u009F' || IsBidiControl(c);

    private static bool IsBidiControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>Advances the escape-sequence state by one character and says whether it is shown.</summary>
    private bool Keep(char c)
    {
        switch (_state)
        {
            case State.Escape:
                _state = c switch
                {
                    '[' => State.ControlSequence,
                    ']' or 'P' or 'X' or '^' or '_' => State.ControlString,
                    _ => State.Text,
                };
                // ESC followed by a printable character is a complete two-character sequence (ESC c resets).
                if (_state != State.Text || c is >= ' ' and <= '~')
                {
                    return false;
                }

                break;
            case State.ControlSequence:
                if (c is >= ' ' and <= '?')
                {
                    return false;
                }

                _state = State.Text;
                if (c is >= '@' and <= '~')
                {
                    return false;
                }

                break;
            case State.ControlString or State.ControlStringEscape:
                // A string sequence ends at BEL or ST (ESC \ or U+009C); a newline ends it too, so one hostile value
                // can hide at most the rest of its own line.
                var afterEscape = _state == State.ControlStringEscape;
                _state = State.ControlString;
                if (c is '\a' or '\u009C' || (afterEscape && c == '\\'))
                {
                    _state = State.Text;
                    return false;
                }

                if (c == '\u001B')
                {
                    _state = State.ControlStringEscape;
                    return false;
                }

                if (c != '\n')
                {
                    return false;
                }

                _state = State.Text;
                break;
        }

        switch (c)
        {
            case '\u001B':
                _state = State.Escape;
                return false;
            case '\u009B':
                _state = State.ControlSequence;
                return false;
            case '\u0090' or '\u0098' or '\u009D' or '\u009E' or '\u009F':
                _state = State.ControlString;
                return false;
            default:
                return !IsSpecial(c);
        }
    }
}
