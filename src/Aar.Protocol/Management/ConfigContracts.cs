namespace Aar.Protocol.Management;

/// <summary><c>POST /1.0/config</c>: set one key. An empty value resets the key to its default.</summary>
public sealed record ConfigPost
{
    public required string Name { get; init; }

    public required string Value { get; init; }
}

/// <summary><c>GET /1.0/config</c>: every key with its effective value, defaults included.</summary>
public sealed record ConfigGet
{
    public required SortedDictionary<string, string> Config { get; init; }
}
