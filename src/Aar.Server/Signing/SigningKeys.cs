using System.Text.Json;
using Aar.Hosting;
using Aar.IO;
using Aar.Protocol;
using Aar.Protocol.Http;
using Aar.Protocol.Signing;
using Microsoft.Extensions.Logging;

namespace Aar.Server.Signing;

/// <summary>
/// The registry's signing key: this node's private key file, and the public history every node shares in the
/// database. A node signs only with the database's current key; with any other (a rotation made on another node, a
/// file never copied here) it refuses to sign and says what to copy, rather than serve listings clients would refuse.
/// The file is read again, at most every <see cref="ReloadInterval"/>, while it does not match, so a copied key is
/// picked up without a restart.
/// </summary>
internal sealed partial class SigningKeys(SigningOptions options, SigningKeyDatabase database, TimeProvider time, ILogger<SigningKeys> logger) : IDisposable
{
    private static readonly TimeSpan ReloadInterval = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _rotation = new(1, 1);

    // Replaced, never disposed: a request may still be signing with the key a rotation or reload just replaced.
    private SigningKeyPair? _key;
    private string? _fileProblem;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public TimeSpan ListingValidity => options.ListingValidity;

    /// <summary>Where a rotation in progress keeps the new key until the database has it (then renamed over the key).</summary>
    private string NextPath => options.KeyPath + ".next";

    /// <summary>
    /// At start: finishes or undoes a rotation a crash interrupted, loads the key file, and on the registry's very
    /// first start creates the key (file first, then the database row) unless the file already exists.
    /// </summary>
    public async Task InitialiseAsync(CancellationToken cancellationToken)
    {
        var current = await database.ReadCurrentAsync(cancellationToken);
        FinishInterruptedRotation(current);
        if (current is null && !File.Exists(options.KeyPath))
        {
            using var created = SigningKeyPair.Create();
            try
            {
                created.SavePem(options.KeyPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"Cannot create the signing key {options.KeyPath} ({ex.Message.TrimEnd('.')}); check that its directory exists and is writable, or give another path with --signing-key.", ex);
            }

            Log.KeyCreated(logger, created.PublicKey.KeyId, options.KeyPath);
        }

        var state = Resolve(current, forceReload: true);
        if (current is null && state.Signer is null && _key is { } loaded)
        {
            // The file was there before the database had a key (copied in, or the first start was interrupted).
            await database.TryInsertAsync(new SigningKeyRow(0, loaded.PublicKey.KeyId, loaded.PublicKey.Base64, null, time.GetUtcNow()), cancellationToken);
            state = Resolve(await database.ReadCurrentAsync(cancellationToken), forceReload: false);
        }

        if (state.Signer is { } signer)
        {
            Log.SigningWithKey(logger, signer.PublicKey.KeyId, options.KeyPath);
        }
        else
        {
            Log.NotSigning(logger, state.Problem!);
        }
    }

    /// <summary>Whether this node signs now (one single-row query).</summary>
    public async Task<SigningState> CurrentAsync(CancellationToken cancellationToken) =>
        Resolve(await database.ReadCurrentAsync(cancellationToken), forceReload: false);

    /// <summary>The current key and every rotation, oldest first; null before the first start created a key.</summary>
    public async Task<SigningKeyInfo?> InfoAsync(CancellationToken cancellationToken)
    {
        var rows = await database.ReadAllAsync(cancellationToken);
        return rows.Count == 0 ? null : new SigningKeyInfo
        {
            KeyId = rows[^1].KeyId,
            PublicKey = rows[^1].PublicKey,
            Rotations = [.. rows.Where(r => r.Rotation is not null).Select(r => JsonSerializer.Deserialize(r.Rotation!, ProtocolJsonContext.Default.SignedEnvelope)!)],
        };
    }

    /// <summary>
    /// A new key, introduced by a rotation signed by the current key and the new one. Crash-safe in three durable
    /// steps: the new private key goes to <c>KEY.next</c>, the rotation into the database (the point of no return),
    /// then <c>KEY.next</c> is renamed over the key file, which destroys the previous private key (its file is
    /// replaced, not shredded). A start after a crash between them finishes or undoes the rename.
    /// </summary>
    public async Task<ApiResult<SigningKeyInfo>> RotateAsync(CancellationToken cancellationToken)
    {
        await _rotation.WaitAsync(cancellationToken);
        try
        {
            var state = await CurrentAsync(cancellationToken);
            if (state.Signer is not { } previous || state.Current is not { } current)
            {
                return ApiResult.Failed<SigningKeyInfo>(NotSigningProblem(state.Problem!));
            }

            var next = SigningKeyPair.Create();
            var now = time.GetUtcNow();
            var envelope = KeyRotation.Sign(current.Sequence + 1, previous, next, now);
            next.SavePem(NextPath);
            try
            {
                var row = new SigningKeyRow(current.Sequence + 1, next.PublicKey.KeyId, next.PublicKey.Base64, JsonSerializer.Serialize(envelope, ProtocolJsonContext.Default.SignedEnvelope), now);
                if (!await database.TryInsertAsync(row, cancellationToken))
                {
                    File.Delete(NextPath);
                    return ApiResult.Failed<SigningKeyInfo>(new Problem { Type = ProblemTypes.Conflict, Title = "Rotation raced", Status = 409, Detail = $"Another node rotated the signing key at the same time (sequence {row.Sequence} is taken); nothing changed here. Run 'aar signing-key show' and copy the current key to this node." });
                }
            }
            catch
            {
                File.Delete(NextPath);
                throw;
            }

            DurableDirectory.Move(NextPath, options.KeyPath, overwrite: true);
            lock (_lock)
            {
                _key = next;
                _fileProblem = null;
                _loadedAt = now;
            }

            Log.KeyRotated(logger, previous.PublicKey.KeyId, next.PublicKey.KeyId, current.Sequence + 1);
            return ApiResult.Ok((await InfoAsync(cancellationToken))!);
        }
        finally
        {
            _rotation.Release();
        }
    }

    /// <summary>The 503 a node that cannot sign answers on the signed routes.</summary>
    public static Problem NotSigningProblem(string detail) =>
        new() { Type = ProblemTypes.SigningKeyNotCurrent, Title = "This node cannot sign", Status = 503, Detail = detail };

    private SigningState Resolve(SigningKeyRow? current, bool forceReload)
    {
        lock (_lock)
        {
            if (current is not null && _key?.PublicKey.KeyId == current.KeyId)
            {
                return new SigningState(_key, current, null);
            }

            var now = time.GetUtcNow();
            if (forceReload || now - _loadedAt >= ReloadInterval)
            {
                _loadedAt = now;
                LoadFile();
                if (current is not null && _key?.PublicKey.KeyId == current.KeyId)
                {
                    Log.KeyLoaded(logger, current.KeyId, options.KeyPath);
                    return new SigningState(_key, current, null);
                }
            }

            return new SigningState(null, current, Explain(current));
        }
    }

    private string Explain(SigningKeyRow? current)
    {
        var copy = $"copy the signing key file of a node that signs (its --signing-key, by default <data>/certs/signing.key) to {options.KeyPath} on this node, mode 0600; it is picked up within seconds, without a restart.";
        return (current, _key) switch
        {
            (null, _) => $"The registry has no signing key yet ({_fileProblem ?? "none was recorded"}).",
            (_, null) => $"This node cannot sign: the registry signs with key {current.KeyId}, and {_fileProblem ?? "this node has not loaded a key"}; {copy}",
            _ => $"This node cannot sign: its key {_key.PublicKey.KeyId} ({options.KeyPath}) is not the registry's current key {current.KeyId} (rotated since, or copied from another registry); {copy}",
        };
    }

    /// <summary>Reads the key file into <see cref="_key"/>, or records why it cannot in <see cref="_fileProblem"/>.</summary>
    private void LoadFile()
    {
        try
        {
            FileModes.Enforce(options.KeyPath, FileModes.PrivateKey);
            var loaded = SigningKeyPair.LoadPem(options.KeyPath);
            _key = loaded;
            _fileProblem = null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            _key = null;
            _fileProblem = $"{options.KeyPath} does not exist";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            _key = null;
            _fileProblem = $"{options.KeyPath} cannot be used ({ex.Message.TrimEnd('.')})";
        }
    }

    private void FinishInterruptedRotation(SigningKeyRow? current)
    {
        if (!File.Exists(NextPath))
        {
            return;
        }

        string? nextId = null;
        try
        {
            using var next = SigningKeyPair.LoadPem(NextPath);
            nextId = next.PublicKey.KeyId;
        }
        catch (InvalidDataException)
        {
        }

        if (nextId is not null && nextId == current?.KeyId)
        {
            DurableDirectory.Move(NextPath, options.KeyPath, overwrite: true);
            Log.RotationFinished(logger, nextId);
        }
        else
        {
            File.Delete(NextPath);
            Log.RotationUndone(logger, NextPath);
        }
    }

    public void Dispose() => _rotation.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Created the registry's signing key {KeyId} in {Path}")]
        public static partial void KeyCreated(ILogger logger, string keyId, string path);

        [LoggerMessage(Level = LogLevel.Information, Message = "Signing listings with key {KeyId} from {Path}")]
        public static partial void SigningWithKey(ILogger logger, string keyId, string path);

        [LoggerMessage(Level = LogLevel.Information, Message = "Signing key {KeyId} loaded from {Path}; this node signs again")]
        public static partial void KeyLoaded(ILogger logger, string keyId, string path);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Signed listings are refused on this node: {Problem}")]
        public static partial void NotSigning(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Signing key rotated from {PreviousKeyId} to {KeyId} (rotation {Sequence}); the previous private key is destroyed. Copy the new key file to every other node")]
        public static partial void KeyRotated(ILogger logger, string previousKeyId, string keyId, int sequence);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Finished a key rotation interrupted by a crash: key {KeyId} is now the key file")]
        public static partial void RotationFinished(ILogger logger, string keyId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Path}: a key rotation was interrupted before the registry recorded it, so the key stays as it was")]
        public static partial void RotationUndone(ILogger logger, string path);
    }
}
