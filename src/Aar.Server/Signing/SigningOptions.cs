namespace Aar.Server.Signing;

/// <summary>What the signed index needs from the command line.</summary>
internal sealed record SigningOptions
{
    /// <summary>The private key's PEM file (0600); created at first start when the registry has no key yet.</summary>
    public required string KeyPath { get; init; }

    /// <summary>A signed listing's expiry after its issue time.</summary>
    public required TimeSpan ListingValidity { get; init; }
}
