using Ams.Daemon.Api;
using Ams.Daemon.Data;
using Ams.Daemon.Trust;
using Microsoft.Extensions.Logging;

namespace Ams.Daemon.Config;

/// <summary>
/// The persisted configuration. Reads come from an immutable <see cref="AmsConfig"/> snapshot; a change is
/// validated, written in one statement, published as a new snapshot and then announced through <see cref="Changed"/>,
/// which is how running features (the sync worker) pick it up without a restart.
/// </summary>
internal sealed partial class ConfigStore(AmsDatabase database, TrustStore trust, string architecture, ILogger<ConfigStore> logger) : IRegistryPin, IDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private AmsConfig _current = ConfigSnapshot.Build(new Dictionary<string, string>(StringComparer.Ordinal), architecture);

    /// <summary>Raised after a change is stored, on the thread that made it; handlers must be quick and not throw.</summary>
    public event EventHandler<ConfigChange>? Changed;

    public AmsConfig Current => Volatile.Read(ref _current);

    public string PinnedFingerprint => Current.RegistryFingerprint;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM config";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored[reader.GetString(0)] = reader.GetString(1);
        }

        Volatile.Write(ref _current, ConfigSnapshot.Build(stored, architecture));
    }

    /// <summary>
    /// Validates and stores one key. <paramref name="announce"/> false skips <see cref="Changed"/>: for a value the sync
    /// pass itself records in the middle of its work (a signing key pinned on first use or moved by a rotation), where
    /// starting another pass at once would only repeat it.
    /// </summary>
    public async Task<Result<AmsConfig>> SetAsync(string key, string value, CancellationToken cancellationToken, bool announce = true)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var normalized = ConfigKeys.Normalize(key, value, trust.Fingerprints);
            if (!normalized.Succeeded)
            {
                return normalized.Error!;
            }

            var old = Current.Values[key];
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                using var command = connection.CreateCommand();
                command.CommandText = normalized.Value == ConfigKeys.Defaults[key]
                    ? "DELETE FROM config WHERE key = $key"
                    : "INSERT INTO config (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
                command.Parameters.AddWithValue("$key", key);
                command.Parameters.AddWithValue("$value", normalized.Value!);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var values = Current.Values.Where(v => ConfigKeys.Defaults.ContainsKey(v.Key)).ToDictionary(StringComparer.Ordinal);
            values[key] = normalized.Value!;
            var next = ConfigSnapshot.Build(values, architecture);
            Volatile.Write(ref _current, next);
            Log.ConfigChanged(logger, key, old, normalized.Value!);
            if (old != normalized.Value && announce)
            {
                Changed?.Invoke(this, new ConfigChange(key, old, normalized.Value!, next));
            }

            return next;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => _writeLock.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Configuration {Key} changed from '{OldValue}' to '{NewValue}'")]
        public static partial void ConfigChanged(ILogger logger, string key, string oldValue, string newValue);
    }
}
