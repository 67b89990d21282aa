using Aar.Protocol.Management;

namespace Ams.Daemon.Tests;

/// <summary>Uploads a package file over the socket API as amc does, and waits for the import to finish.</summary>
internal static class Uploads
{
    public static async Task<OperationInfo> ImportAsync(ManagementClient client, string path, string? application = null)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(file);
        var started = await client.UploadPackageAsync(content, Path.GetFileName(path), application);
        Assert.True(started.Succeeded, started.Problem?.Detail);
        Assert.Equal(OperationInfo.Running, started.Value!.Status);
        var done = await client.WaitOperationAsync(started.Value.Id, TimeSpan.FromMinutes(2));
        Assert.True(done.Succeeded, done.Problem?.Detail);
        Assert.NotEqual(OperationInfo.Running, done.Value!.Status);
        return done.Value;
    }

    public static async Task<OperationInfo> ImportOkAsync(ManagementClient client, string path, string? application = null)
    {
        var done = await ImportAsync(client, path, application);
        Assert.True(done.Status == OperationInfo.Success, done.Err);
        return done;
    }
}
