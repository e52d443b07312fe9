namespace Abdm.ProfileShare.Durability.Tests;

/// <summary>
/// The durability tests start several processes each and load 2 cores on their own: they run one at a time, and
/// not alongside other test classes of this assembly.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DurabilityCollection
{
    public const string Name = "durability";
}
