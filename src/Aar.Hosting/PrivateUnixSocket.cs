using Aar.IO;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aar.Hosting;

/// <summary>
/// A daemon's admin socket, created without a moment of wider permissions. bind(2) makes the socket file with 0777
/// minus the process umask (0775 or 0777 under a permissive umask: anyone could connect until a later chmod), and
/// the umask is process-wide, so changing it around the bind would race with every other thread creating files.
/// Instead the socket is bound inside a fresh 0700 directory that only the owner can enter, given its final mode
/// there, and renamed into place (rename(2) moves the bound socket; listeners keep accepting on it).
/// </summary>
public sealed class PrivateUnixSocket
{
    /// <summary>The private directory next to the final socket; its name counts against the socket path length.</summary>
    public const string BindDirectoryName = ".bind";

    /// <summary>Unix socket paths are limited to 107 bytes by sockaddr_un.</summary>
    private const int MaxPathLength = 107;

    private PrivateUnixSocket(string path, string bindPath)
    {
        Path = path;
        BindPath = bindPath;
    }

    /// <summary>Where clients connect.</summary>
    public string Path { get; }

    /// <summary>Where Kestrel binds: <c>&lt;dir&gt;/.bind/&lt;name&gt;</c>, until <see cref="Publish"/>.</summary>
    public string BindPath { get; }

    /// <summary>
    /// Removes a stale socket and (re)creates <c>.bind</c> empty with mode 0700. Call only while holding the data
    /// directory lock: then no live daemon owns either, and a killed daemon's leftovers would make the bind fail.
    /// </summary>
    public static PrivateUnixSocket Prepare(string socketPath)
    {
        File.Delete(socketPath);
        var directory = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(socketPath)!, BindDirectoryName);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new PrivateUnixSocket(socketPath, System.IO.Path.Combine(directory, System.IO.Path.GetFileName(socketPath)));
    }

    /// <summary>
    /// The <c>--data-dir</c> problem when the socket of a daemon whose data directory is <paramref name="dataDirectory"/>
    /// could not be bound (its bind path is too long), else null.
    /// </summary>
    public static string? CheckDataDirectory(string dataDirectory)
    {
        var bindPath = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDirectory), BindDirectoryName, DataDirectoryLock.SocketFileName);
        return bindPath.Length <= MaxPathLength
            ? null
            : $"--data-dir '{dataDirectory}' is too long for a unix socket path (at most {MaxPathLength - BindDirectoryName.Length - DataDirectoryLock.SocketFileName.Length - 2} characters); choose a shorter directory.";
    }

    /// <summary>Adds the HTTP/1.1 listener on <see cref="BindPath"/>.</summary>
    public void Listen(KestrelServerOptions kestrel, Action<ListenOptions>? configure = null) =>
        kestrel.ListenUnixSocket(BindPath, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            configure?.Invoke(listen);
        });

    /// <summary>
    /// Once the server listens: gives the socket 0660 (the owner and its group may administer the daemon; nobody
    /// else may connect, not even for a moment) and moves it to <see cref="Path"/>.
    /// </summary>
    public void Publish()
    {
        File.SetUnixFileMode(BindPath, FileModes.Socket);
        File.Move(BindPath, Path, overwrite: true);
        Directory.Delete(System.IO.Path.GetDirectoryName(BindPath)!);
    }

    /// <summary>
    /// Publishes the socket when the host has started, after every hosted service (Kestrel included) is listening
    /// and before ApplicationStarted, on which the systemd lifetime reports READY=1: a command run right after
    /// <c>systemctl start</c> returns finds the socket in place.
    /// </summary>
    public void PublishWhenStarted(IServiceCollection services) => services.AddSingleton<IHostedService>(new Publication(this));

    /// <summary>
    /// After the server stopped: Kestrel removes the socket by the path it bound (inside the private directory), not
    /// the one it was moved to.
    /// </summary>
    public void Remove() => File.Delete(Path);

    private sealed class Publication(PrivateUnixSocket socket) : IHostedLifecycleService
    {
        public Task StartedAsync(CancellationToken cancellationToken)
        {
            socket.Publish();
            return Task.CompletedTask;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
