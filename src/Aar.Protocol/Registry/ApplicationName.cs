namespace Aar.Protocol.Registry;

/// <summary>
/// The one rule for an application name, shared by the registry and by AMS manifests so a name one accepts the other
/// never refuses: 1 to <see cref="MaxLength"/> characters from A-Z, a-z, 0-9, '_', '.' and '-', and neither "." nor
/// "..". Checked character by character rather than by a regex, whose <c>$</c> also matches before a final newline.
/// No valid name can carry a path separator, NUL, a control character or a parent-directory step.
/// </summary>
public static class ApplicationName
{
    public const int MaxLength = 64;

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } and not ("." or "..")
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
