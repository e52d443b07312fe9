namespace Abdm.ProfileShare;

/// <summary>The counter QR codes a HIP prints.</summary>
public sealed class CounterQrOptions
{
    /// <summary>
    /// The PHR app's share-profile page for the URL form of the QR (<c>AbdmProfileShare:Qr:ShareProfileUrl</c>), to
    /// which <c>?hip-id=&lt;HIP&gt;&amp;counter-id=&lt;COUNTER&gt;</c> is added. Default:
    /// <c>https://phrsbx.abdm.gov.in/share-profile</c> (the sandbox PHR host; ABDM gives the production one at onboarding).
    /// </summary>
    public Uri ShareProfileUrl { get; set; } = new("https://phrsbx.abdm.gov.in/share-profile");
}
