using System.Data.Common;
using System.Text.Json;
using Aar.Hosting;
using Aar.Protocol.Registry;
using Aar.Protocol;

namespace Aar.Server.Applications;

/// <summary>How a version row is read and its tags written; shared by the queries and the writers.</summary>
internal static class VersionRows
{
    /// <summary>The columns <see cref="Read"/> expects, in order.</summary>
    public const string Columns = "v.version, v.digest, v.size, v.manifest, v.tags, v.created_at, v.publisher, v.generation, "
        + "EXISTS (SELECT 1 FROM missing_blobs m WHERE m.digest = v.digest)";

    public static ApplicationVersion Read(DbDataReader reader, int first) => new()
    {
        Version = reader.GetInt32(first),
        Digest = reader.GetString(first + 1),
        Size = reader.GetInt64(first + 2),
        Manifest = ParseObject(reader.GetString(first + 3)),
        Tags = JsonSerializer.Deserialize(reader.GetString(first + 4), ProtocolJsonContext.Default.IReadOnlyListString) ?? [],
        CreatedAt = DbTime.Parse(reader.GetString(first + 5)),
        Publisher = reader.GetString(first + 6),
        Generation = reader.GetInt64(first + 7),
        BlobMissing = reader.GetBoolean(first + 8) ? true : null,
    };

    public static string WriteTags(IReadOnlyList<string> tags) =>
        JsonSerializer.Serialize(tags, ProtocolJsonContext.Default.IReadOnlyListString);

    private static JsonElement ParseObject(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
