using System.Globalization;
using System.Text;

namespace Aar.Protocol.Text;

/// <summary>
/// Whether a string shows as what it is. Names and other strings an operator reads in a listing or a log (trust
/// names, token names, tags, certificate subjects) refuse control characters (Unicode Cc), format characters (Cf:
/// among them the bidirectional embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, the marks
/// U+200E, U+200F and U+061C, zero-width characters and the tag block), line and paragraph separators (Zl, Zp) and
/// lone surrogates: with them, "ams-eu-1" can be shown for a name that is stored as something else ("Trojan Source",
/// CVE-2021-42574), or a terminal can be driven by escape sequences.
/// </summary>
public static class SafeText
{
    /// <summary>The first character that would not show as itself, or null when every character does.</summary>
    public static UnsafeCharacter? FindUnsafe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var index = 0;
        while (index < text.Length)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(index), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return new UnsafeCharacter(index, text[index], "a lone surrogate");
            }

            var category = Rune.GetUnicodeCategory(rune);
            var kind = category switch
            {
                UnicodeCategory.Control => "a control character",
                UnicodeCategory.Format => IsBidi(rune.Value) ? "a bidirectional formatting character" : "an invisible format character",
                UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => "a line separator",
                _ => null,
            };
            if (kind is not null)
            {
                return new UnsafeCharacter(index, rune.Value, kind);
            }

            index += consumed;
        }

        return null;
    }

    /// <summary>
    /// A sentence for a 400 problem or a CLI error, e.g. "Name contains U+202E (a bidirectional formatting character)
    /// at position 4; …", or null when <paramref name="text"/> is safe.
    /// </summary>
    public static string? Check(string what, string text)
    {
        var found = FindUnsafe(text);
        return found is null
            ? null
            : $"{what} contains U+{found.Value.CodePoint:X4} ({found.Value.Kind}) at position {found.Value.Index + 1}; control, invisible format and bidirectional characters are refused because they make a name show differently from what is stored.";
    }

    private static bool IsBidi(int codePoint) =>
        codePoint is 0x061C or 0x200E or 0x200F or (>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069);
}

/// <summary>Where <see cref="SafeText.FindUnsafe"/> stopped: a 0-based UTF-16 index, the code point and what it is.</summary>
public readonly record struct UnsafeCharacter(int Index, int CodePoint, string Kind);
