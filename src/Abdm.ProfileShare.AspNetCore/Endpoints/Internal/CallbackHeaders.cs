using Abdm.ProfileShare.AspNetCore.Diagnostics.Internal;
using Abdm.ProfileShare.AspNetCore.Internal;
namespace Abdm.ProfileShare.AspNetCore.Endpoints.Internal;

/// <summary>The headers the gateway's callbacks carry that the endpoints read.</summary>
internal static class CallbackHeaders
{
    /// <summary>The HIP a callback is for; checked against <c>AbdmProfileShare:HipIds</c>.</summary>
    public const string HipId = "X-HIP-ID";

    /// <summary>The HIU a callback is for: a HIP host does not handle those (named in the refusal).</summary>
    public const string HiuId = "X-HIU-ID";

    /// <summary>v3: the message's id (a share's idempotency key, and the on-share's <c>response.requestId</c>).</summary>
    public const string RequestId = "REQUEST-ID";
}
