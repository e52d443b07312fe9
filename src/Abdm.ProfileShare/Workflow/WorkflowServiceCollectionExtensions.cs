using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Abdm.ProfileShare.Workflow;

internal static class WorkflowServiceCollectionExtensions
{
    public static IServiceCollection AddAbdmProfileShareWorkflow(this IServiceCollection services)
    {
        services.TryAddSingleton<IProfileShareStore, InMemoryProfileShareStore>();
        services.TryAddSingleton<WorkflowClock>();
        services.TryAddSingleton<OutboxSignal>();

        // Linking tokens are encrypted at rest with the host's Data Protection key ring (the host configures where the
        // keys are kept: AddDataProtection().PersistKeysTo...; several instances must share the ring).
        services.AddDataProtection();
        services.TryAddSingleton<LinkingTokenProtector>();
        services.TryAddSingleton<ProfileShareWorkflow>();
        services.TryAddSingleton<IProfileShareInbox, ProfileShareInbox>();
        services.TryAddSingleton<ICounterQueue, CounterQueue>();
        services.TryAddScoped<IProfileShareHandler, AcceptAllProfileShareHandler>();
        services.TryAddScoped<IPatientDirectory, EmptyPatientDirectory>();
        services.TryAddScoped<ILinkingTokenHandler, NoOpLinkingTokenHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxProcessor>());
        return services;
    }
}
