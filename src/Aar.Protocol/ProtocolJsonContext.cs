using System.Text.Json.Serialization;
using Aar.Protocol.Admin;
using Aar.Protocol.Enrolment;
using Aar.Protocol.Http;
using Aar.Protocol.Registry;
using Aar.Protocol.Signing;

namespace Aar.Protocol;

/// <summary>
/// The one serializer context for every wire contract. Naming policy: snake_case, the style of the configuration
/// keys (<c>registry.update_interval</c>) and of the original product's API.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true,
    WriteIndented = false)]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(ServerInfo))]
[JsonSerializable(typeof(TrustEntry))]
[JsonSerializable(typeof(List<TrustEntry>))]
[JsonSerializable(typeof(RevokedEntry))]
[JsonSerializable(typeof(List<RevokedEntry>))]
[JsonSerializable(typeof(AddTrustRequest))]
[JsonSerializable(typeof(TrustChange))]
[JsonSerializable(typeof(BlobDescriptor))]
[JsonSerializable(typeof(UploadSession))]
[JsonSerializable(typeof(ChunkMatches))]
[JsonSerializable(typeof(UploadCopyRequest))]
[JsonSerializable(typeof(CreateVersionRequest))]
[JsonSerializable(typeof(ApplicationVersion))]
[JsonSerializable(typeof(ApplicationRecord))]
[JsonSerializable(typeof(List<ApplicationRecord>))]
[JsonSerializable(typeof(ApplicationListing))]
[JsonSerializable(typeof(DeletionRecord))]
[JsonSerializable(typeof(DeletionListing))]
[JsonSerializable(typeof(RegistryStatus))]
[JsonSerializable(typeof(ScrubReport))]
[JsonSerializable(typeof(JoinToken))]
[JsonSerializable(typeof(EnrolRequest))]
[JsonSerializable(typeof(EnrolResponse))]
[JsonSerializable(typeof(CreateTokenRequest))]
[JsonSerializable(typeof(CreatedToken))]
[JsonSerializable(typeof(List<TokenEntry>))]
[JsonSerializable(typeof(SignedEnvelope))]
[JsonSerializable(typeof(SignedApplications))]
[JsonSerializable(typeof(SignedDeletions))]
[JsonSerializable(typeof(KeyRotation))]
[JsonSerializable(typeof(SigningKeyInfo))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
