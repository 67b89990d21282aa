using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aar.Hosting;

/// <summary>
/// Both daemons run as <c>Type=notify</c> systemd services (the Debian packages' units): systemd then counts a daemon
/// as started only once it listens, and as stopping as soon as it begins to. Outside systemd this changes nothing:
/// <see cref="SystemdHostBuilderExtensions.AddSystemd(IServiceCollection)"/> looks for systemd's notify socket and
/// otherwise keeps the default console lifetime.
/// </summary>
public static class SystemdService
{
    /// <summary>
    /// Call before <see cref="DaemonLogging.Configure"/>: AddSystemd also selects its own console formatter, and the
    /// one chosen with <c>--log-format</c> must be configured after it to win.
    /// </summary>
    public static void Add(IServiceCollection services) => services.AddSystemd();
}
