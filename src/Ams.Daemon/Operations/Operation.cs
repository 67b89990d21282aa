using Aar.Protocol.Management;
using Ams.Daemon.Api;

namespace Ams.Daemon.Operations;

/// <summary>One running or finished operation; its <see cref="Info"/> is replaced (never mutated) on every change.</summary>
internal sealed class Operation(OperationInfo initial, TimeProvider time)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private OperationInfo _info = initial;

    public OperationInfo Info => Volatile.Read(ref _info);

    public Task Done => _done.Task;

    public void Succeed(Dictionary<string, string> metadata, Dictionary<string, List<string>>? resources = null)
    {
        Volatile.Write(ref _info, Info with
        {
            Status = OperationInfo.Success,
            StatusCode = 200,
            UpdatedAt = time.GetUtcNow(),
            Metadata = metadata,
            Resources = resources ?? Info.Resources,
        });
        _done.TrySetResult();
    }

    public void Fail(ApiProblem error)
    {
        Volatile.Write(ref _info, Info with
        {
            Status = OperationInfo.Failure,
            StatusCode = 400,
            UpdatedAt = time.GetUtcNow(),
            Err = error.Message,
            ErrCode = error.Code,
        });
        _done.TrySetResult();
    }
}
