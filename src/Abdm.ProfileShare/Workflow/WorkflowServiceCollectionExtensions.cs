using Abdm.ProfileShare.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Abdm.ProfileShare.Workflow;

internal static class WorkflowServiceCollectionExtensions
{
    public static IServiceCollection AddAbdmProfileShareWorkflow(this IServiceCollection services)
    {
        services.TryAddSingleton<IProfileShareStore, InMemoryProfileShareStore>();
        return services;
    }
}
