namespace Ams.Daemon.Sync;

/// <summary>The files registry sync works with (given by the composition root from the data directory).</summary>
/// <param name="ClientCertificatePath">This AMS's registry client certificate, <c>registry/client.crt</c>.</param>
/// <param name="ClientKeyPath">Its key, <c>registry/client.key</c> (0600).</param>
/// <param name="DownloadsDirectory">Where pulled packages are downloaded (and resumed), <c>registry/downloads</c>.</param>
internal sealed record SyncOptions(string ClientCertificatePath, string ClientKeyPath, string DownloadsDirectory);
