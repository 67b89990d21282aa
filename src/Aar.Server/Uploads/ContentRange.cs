using System.Globalization;

namespace Aar.Server.Uploads;

/// <summary>
/// The byte range a chunk claims: <c>Content-Range: bytes 0-1023/*</c> (RFC 9110 form, total optional or
/// <c>*</c>) or <c>0-1023</c> (the OCI distribution-spec form). <see cref="End"/> is inclusive.
/// </summary>
internal readonly record struct ContentRange(long Start, long End)
{
    public long Length => End - Start + 1;

    public static bool TryParse(string? header, out ContentRange range, out string error)
    {
        range = default;
        error = "";
        var text = header?.Trim() ?? "";
        if (text.StartsWith("bytes ", StringComparison.Ordinal))
        {
            text = text["bytes ".Length..].TrimStart();
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var total = slash >= 0 ? text[(slash + 1)..] : null;
        var span = slash >= 0 ? text[..slash] : text;
        var dash = span.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !long.TryParse(span[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(span[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end))
        {
            error = $"Content-Range '{Shorten(header)}' is malformed: use 'bytes <first>-<last>/*' with inclusive byte positions, e.g. 'bytes 0-1048575/*'.";
            return false;
        }

        if (end < start)
        {
            error = $"Content-Range '{Shorten(header)}' ends before it starts; the last position is inclusive, so a chunk of n bytes at offset o is 'bytes o-(o+n-1)/*'.";
            return false;
        }

        if (total is not null and not "*"
            && (!long.TryParse(total, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size <= end))
        {
            error = $"Content-Range '{Shorten(header)}' has a total size that is not a number greater than its last position.";
            return false;
        }

        range = new ContentRange(start, end);
        return true;
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "…";
}
