using System.Text.Json.Serialization;
using Aar.Protocol.Http;
using Aar.Protocol.Signing;

namespace Aar.Protocol.Registry;

/// <summary>
/// Reads what a registry answers, strictly: the same snake_case contracts as <see cref="ProtocolJsonContext"/>, but a
/// null where the contract has no nullable member and a property named twice are refused as invalid JSON, so a
/// hostile or broken registry gets a clear "not the JSON this API sends" instead of a null deep in a sync pass. Kept
/// apart from the shared context because that one also writes, and strictness on writing is not wanted there.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(ServerInfo))]
[JsonSerializable(typeof(BlobDescriptor))]
[JsonSerializable(typeof(UploadSession))]
[JsonSerializable(typeof(ChunkMatches))]
[JsonSerializable(typeof(UploadCopyRequest))]
[JsonSerializable(typeof(ApplicationVersion))]
[JsonSerializable(typeof(ApplicationRecord))]
[JsonSerializable(typeof(ApplicationListing))]
[JsonSerializable(typeof(DeletionRecord))]
[JsonSerializable(typeof(DeletionListing))]
[JsonSerializable(typeof(SignedEnvelope))]
[JsonSerializable(typeof(SignedApplications))]
[JsonSerializable(typeof(SignedDeletions))]
[JsonSerializable(typeof(KeyRotation))]
[JsonSerializable(typeof(SigningKeyInfo))]
public sealed partial class RegistryReadJsonContext : JsonSerializerContext;
