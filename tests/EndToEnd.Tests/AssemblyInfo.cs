// The scenarios kill daemons mid-transfer and time their kills on transfer progress: on a shared 2-core machine they
// run one at a time, so one scenario's hundreds of MiB do not starve another's daemons.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
