using System.Globalization;

namespace Ams.Daemon.Sync;

/// <summary>What <c>amc registry status</c> says about the last signed listing that verified.</summary>
internal sealed record VerifiedListing(long Generation, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string KeyId)
{
    public override string ToString() => string.Join(' ', Generation.ToString(CultureInfo.InvariantCulture), IssuedAt.ToString("O", CultureInfo.InvariantCulture), ExpiresAt.ToString("O", CultureInfo.InvariantCulture), KeyId);

    public static VerifiedListing? Parse(string? text)
    {
        var parts = text?.Split(' ');
        return parts is { Length: 4 }
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            && DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.None, out var issued)
            && DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires)
            ? new VerifiedListing(generation, issued, expires, parts[3])
            : null;
    }
}
