using System.Globalization;
using System.Net.Http.Headers;
using Aar.Server.Uploads;
using CsCheck;
using TestSupport;

namespace Aar.Server.Tests;

public sealed class ContentRangePropertyTests
{
    private static readonly Gen<(long Start, long End)> Ranges =
        Gen.Select(Gen.Long[0, long.MaxValue / 2], Gen.Long[0, 1L << 40]).Select(r => (r.Item1, r.Item1 + r.Item2));

    // Pieces of Content-Range headers and of the ways they go wrong: signs, spaces, huge numbers, Unicode digits.
    private static readonly Gen<string> HeaderLike = Gen.OneOf(
            "bytes", "bytes ", " ", "0", "1", "99", "-", "--", "/", "*", "+", "9223372036854775807", "9223372036854775808",
            "99999999999999999999", "\t", "\u0660", "٣", "0x1F", "e5", ",", "=", "\0", "items ")
        .Array[0, 12].Select(parts => string.Concat(parts));

    [Fact]
    public void Every_range_the_client_sends_parses_back_to_itself() =>
        PropertyCheck.ForAll(Ranges, 5000, range =>
        {
            var (start, end) = range;
            var sent = new ContentRangeHeaderValue(start, end).ToString();

            Assert.True(ContentRange.TryParse(sent, out var parsed, out var error), error);
            Assert.Equal(new ContentRange(start, end), parsed);
            Assert.Equal(end - start + 1, parsed.Length);
        });

    [Fact]
    public void The_rfc_and_oci_forms_with_or_without_a_total_parse_back() =>
        PropertyCheck.ForAll(Gen.Select(Ranges, Gen.Long[1, 1L << 40], Gen.Int[0, 3]), 5000, value =>
        {
            var ((start, end), beyond, form) = value;
            var header = form switch
            {
                0 => $"bytes {start}-{end}/*",
                1 => $"bytes {start}-{end}/{end + beyond}",
                2 => $"{start}-{end}",
                _ => $"bytes {start}-{end}",
            };

            Assert.True(ContentRange.TryParse(header, out var parsed, out var error), error);
            Assert.Equal(new ContentRange(start, end), parsed);
        });

    [Fact]
    public void Any_text_is_parsed_into_an_ordered_range_or_refused_with_a_sentence_never_anything_else() =>
        PropertyCheck.ForAll(Gen.Frequency<string>((3, HeaderLike), (1, Gen.String)), 20_000, header =>
        {
            if (ContentRange.TryParse(header, out var range, out var error))
            {
                Assert.InRange(range.Start, 0, range.End);
                Assert.Contains(range.End.ToString(CultureInfo.InvariantCulture).TrimStart('0'), header, StringComparison.Ordinal);
            }
            else
            {
                Assert.StartsWith("Content-Range '", error, StringComparison.Ordinal);
                Assert.True(error.Length < 400, error);
            }
        });
}
