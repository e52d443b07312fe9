using System.Diagnostics.CodeAnalysis;
using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Abdm.ProfileShare;

/// <summary>Plugs the host's handlers and a store into Abdm.ProfileShare.</summary>
public static class AbdmProfileShareBuilderExtensions
{
    /// <summary>Uses <typeparamref name="THandler"/> (scoped) to accept or reject shares.</summary>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder AddProfileShareHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this AbdmProfileShareBuilder builder)
        where THandler : class, IProfileShareHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Scoped<IProfileShareHandler, THandler>());
        return builder;
    }

    /// <summary>Uses <typeparamref name="TDirectory"/> (scoped) to tell new from returning patients.</summary>
    /// <typeparam name="TDirectory">The directory.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder AddPatientDirectory<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TDirectory>(this AbdmProfileShareBuilder builder)
        where TDirectory : class, IPatientDirectory
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Scoped<IPatientDirectory, TDirectory>());
        return builder;
    }

    /// <summary>Uses <typeparamref name="THandler"/> (scoped) to hear about linking tokens received or failed.</summary>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder AddLinkingTokenHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this AbdmProfileShareBuilder builder)
        where THandler : class, ILinkingTokenHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Scoped<ILinkingTokenHandler, THandler>());
        return builder;
    }

    /// <summary>
    /// Uses <typeparamref name="THandler"/> (scoped) for v3 shares whose intent is <c>RECORD_SHARE</c> or
    /// <c>PAYMENT_SHARE</c>; without one they are refused with <c>ABDM-1149</c>. See <see cref="IShareIntentHandler"/>.
    /// </summary>
    /// <typeparam name="THandler">The handler.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder AddShareIntentHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this AbdmProfileShareBuilder builder)
        where THandler : class, IShareIntentHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Scoped<IShareIntentHandler, THandler>());
        return builder;
    }

    /// <summary>
    /// Keeps everything in process memory (the default): for tests and demos only. A restart loses the queue and the
    /// linking tokens; use <c>UseSqliteStore</c> (one server) or <c>UseRedisStore</c> (several instances) in production.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static AbdmProfileShareBuilder UseInMemoryStore(this AbdmProfileShareBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IProfileShareStore, InMemoryProfileShareStore>());
        return builder;
    }
}
