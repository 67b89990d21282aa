using System.Text.Json.Serialization;

namespace Aar.Protocol.Management;

/// <summary>
/// Serializer context of the AMS local API (ams ↔ amc), kept apart from <see cref="ProtocolJsonContext"/>.
/// Naming policy: snake_case, as the original product's API (<c>status_code</c>, <c>error_code</c>).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(Response))]
[JsonSerializable(typeof(ApplicationInfo))]
[JsonSerializable(typeof(List<ApplicationInfo>))]
[JsonSerializable(typeof(ManifestInfo))]
[JsonSerializable(typeof(OperationInfo))]
[JsonSerializable(typeof(ConfigPost))]
[JsonSerializable(typeof(ConfigGet))]
[JsonSerializable(typeof(TrustedCertificate))]
[JsonSerializable(typeof(List<TrustedCertificate>))]
[JsonSerializable(typeof(TrustAddRequest))]
[JsonSerializable(typeof(ServiceStatus))]
[JsonSerializable(typeof(VersionPatch))]
[JsonSerializable(typeof(DeleteRequest))]
[JsonSerializable(typeof(RegistryStatus))]
[JsonSerializable(typeof(PackageVerification))]
[JsonSerializable(typeof(SyncPassReport))]
[JsonSerializable(typeof(SyncRequest))]
[JsonSerializable(typeof(JoinRequest))]
[JsonSerializable(typeof(JoinOutcome))]
[JsonSerializable(typeof(CertificateRenewal))]
[JsonSerializable(typeof(List<RegistryApplication>))]
public sealed partial class ManagementJsonContext : JsonSerializerContext;
