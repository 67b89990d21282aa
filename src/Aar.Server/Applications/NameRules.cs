using System.Globalization;
using System.Text.Json;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Text;

namespace Aar.Server.Applications;

/// <summary>
/// What an application name, architecture, version number, tag and manifest may be. Names follow
/// <see cref="ApplicationName"/>, the rule AMS manifests use too, so no name can carry a path separator, an
/// encoded slash, NUL or a parent-directory step into anything that uses it as a path.
/// </summary>
internal static class NameRules
{
    public const int MaxNameLength = ApplicationName.MaxLength;
    public const int MaxArchitectureLength = 32;
    public const int MaxTags = 32;
    public const int MaxTagLength = 64;
    public const int MaxManifestBytes = 256 * 1024;

    public static Problem? CheckName(string name)
    {
        return ApplicationName.IsValid(name) ? null : Invalid(ProblemTypes.InvalidName, "Invalid application name",
            $"Application name '{Printable(name)}' is invalid: use 1 to {MaxNameLength} characters from A-Z, a-z, 0-9, '_', '.' and '-' (not '.' or '..').");
    }

    public static Problem? CheckArchitecture(string architecture)
    {
        var valid = architecture.Length is > 0 and <= MaxArchitectureLength
            && architecture.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');
        return valid ? null : Invalid(ProblemTypes.InvalidArchitecture, "Invalid architecture",
            $"Architecture '{Printable(architecture)}' is invalid: use 1 to {MaxArchitectureLength} characters from a-z, 0-9, '_' and '-', such as amd64 or arm64.");
    }

    /// <summary>
    /// A version number in its one canonical spelling: <c>007</c> is refused rather than read as 7, so a path never
    /// has two spellings for one version (the AMS and the typed client always write the canonical form).
    /// </summary>
    public static Problem? CheckVersion(string text, out int version)
    {
        version = 0;
        var valid = text.Length is > 0 and <= 9
            && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version);
        return valid ? null : Invalid(ProblemTypes.InvalidVersion, "Invalid version",
            $"Version '{Printable(text)}' is invalid: versions are whole numbers 0, 1, 2, … (at most 9 digits, no leading zeros).");
    }

    public static Problem? CheckTags(IReadOnlyList<string>? tags)
    {
        if (tags is null)
        {
            return null;
        }

        if (tags.Count > MaxTags)
        {
            return Invalid(ProblemTypes.InvalidManifest, "Too many tags", $"A version may carry at most {MaxTags} tags; this one has {tags.Count}.");
        }

        var bad = tags.FirstOrDefault(t => t is null || t.Length is 0 or > MaxTagLength || t.Any(c => char.IsWhiteSpace(c) || c == ',') || SafeText.FindUnsafe(t) is not null);
        return bad is null && tags.All(t => t is not null) ? null : Invalid(ProblemTypes.InvalidManifest, "Invalid tag",
            $"Tag '{Printable(bad ?? "")}' is invalid: tags are 1 to {MaxTagLength} characters without spaces, commas, or control, invisible format and bidirectional characters.");
    }

    /// <summary>The manifest as stored: a JSON object (an absent manifest is <c>{}</c>).</summary>
    public static Problem? CheckManifest(JsonElement? manifest, out string text)
    {
        text = "{}";
        if (manifest is not { } value || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return Invalid(ProblemTypes.InvalidManifest, "Invalid manifest", $"The manifest must be a JSON object (the parsed manifest.yaml), not a {value.ValueKind.ToString().ToLowerInvariant()}.");
        }

        text = value.GetRawText();
        return text.Length <= MaxManifestBytes ? null : Invalid(ProblemTypes.InvalidManifest, "Manifest too large", $"The manifest is {text.Length} bytes; at most {MaxManifestBytes} are accepted.");
    }

    private static Problem Invalid(string type, string title, string detail) =>
        new() { Type = type, Title = title, Status = 400, Detail = detail };

    /// <summary>Shows control, format and bidi characters (NUL, U+202E…) as escapes and cuts long values, so the message stays one readable line.</summary>
    private static string Printable(string text)
    {
        var shown = string.Concat(text.Take(80).Select(c => SafeText.FindUnsafe(c.ToString()) is not null ? $"\\u{(int)c:x4}" : c.ToString()));
        return text.Length > 80 ? shown + "…" : shown;
    }
}
