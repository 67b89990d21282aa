namespace Aar.Server.Signing;

/// <summary>One key of the registry's history: sequence 0 is the first, each later one came with <see cref="Rotation"/> (DSSE JSON).</summary>
internal sealed record SigningKeyRow(int Sequence, string KeyId, string PublicKey, string? Rotation, DateTimeOffset CreatedAt);
