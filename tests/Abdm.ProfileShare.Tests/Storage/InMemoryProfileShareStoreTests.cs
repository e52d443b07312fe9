using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Storage.Conformance;

namespace Abdm.ProfileShare.Tests.Storage;

public sealed class InMemoryProfileShareStoreTests : ProfileShareStoreConformanceTests
{
    protected override Task<IProfileShareStore> CreateStoreAsync() => Task.FromResult<IProfileShareStore>(new InMemoryProfileShareStore());
}
