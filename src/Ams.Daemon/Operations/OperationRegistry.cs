using System.Collections.Concurrent;
using Aar.Protocol.Management;

namespace Ams.Daemon.Operations;

/// <summary>
/// Operations in memory, as LXD keeps them: they describe work in progress, so they need not survive a restart
/// (work a restart interrupts is recorded on the version itself). Finished ones are kept for an hour.
/// </summary>
internal sealed class OperationRegistry(TimeProvider time)
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);

    public Operation Start(string description)
    {
        Prune();
        var now = time.GetUtcNow();
        var operation = new Operation(new OperationInfo
        {
            Id = Guid.NewGuid().ToString(),
            Description = description,
            CreatedAt = now,
            UpdatedAt = now,
            Status = OperationInfo.Running,
            StatusCode = 103,
        }, time);
        _operations[operation.Info.Id] = operation;
        return operation;
    }

    public Operation? Find(string id) => _operations.GetValueOrDefault(id);

    private void Prune()
    {
        var cutoff = time.GetUtcNow() - Retention;
        foreach (var (id, operation) in _operations)
        {
            if (operation.Done.IsCompleted && operation.Info.UpdatedAt < cutoff)
            {
                _operations.TryRemove(id, out _);
            }
        }
    }
}
