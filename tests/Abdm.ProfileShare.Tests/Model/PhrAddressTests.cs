using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Tests.ModelTests; // not ...Tests.Model: that would shadow Abdm.ProfileShare.Model for the other tests

public sealed class PhrAddressTests
{
    [Theory]
    [InlineData("kiran@sbx", "KIRAN@SBX")]
    [InlineData("Kiran.Test_1-x@abdm", "KIRAN.TEST_1-X@ABDM")]
    [InlineData("KIRAN@SBX", "KIRAN@SBX")]
    [InlineData("az@AZ09", "AZ@AZ09")]
    public void Fold_AsciiAddress_UpperCasesAsciiLetters(string address, string expected) =>
        Assert.Equal(expected, PhrAddress.Fold(address));

    [Theory]
    [InlineData("test@sbx")]
    [InlineData("Patient-1@sbx")]
    [InlineData("first.last_2@abdm")]
    [InlineData("zzmarker-synthetic@sbx")]
    public void Fold_AsciiAddress_SameKeyAsToUpperInvariantSoStoredKeysStay(string address) =>
        Assert.Equal(address.ToUpperInvariant(), PhrAddress.Fold(address));

    [Theory]
    [InlineData("k\u0131ran@sbx", "K\u0131RAN@SBX")]
    [InlineData("\u017Fam@sbx", "\u017FAM@SBX")]
    [InlineData("t\u00E9st@sbx", "T\u00E9ST@SBX")]
    [InlineData("\u0130nci@sbx", "\u0130NCI@SBX")]
    public void Fold_NonAsciiLetters_LeftUnchanged(string address, string expected) =>
        Assert.Equal(expected, PhrAddress.Fold(address));

    [Fact]
    public void Fold_DotlessIAndLongS_NeverEqualTheirAsciiLookalikes()
    {
        Assert.NotEqual(PhrAddress.Fold("kiran@sbx"), PhrAddress.Fold("k\u0131ran@sbx"));
        Assert.NotEqual(PhrAddress.Fold("sam@sbx"), PhrAddress.Fold("\u017Fam@sbx"));
    }

    [Fact]
    public void Fold_NoLowerCaseAscii_ReturnsSameInstance()
    {
        const string address = "KIRAN@SBX";
        Assert.Same(address, PhrAddress.Fold(address));
    }

    [Theory]
    [InlineData("kiran@sbx", "KIRAN@sbx", true)]
    [InlineData("Kiran@SBX", "kIRAN@sbx", true)]
    [InlineData("kiran@sbx", "k\u0131ran@sbx", false)]
    [InlineData("KIRAN@SBX", "k\u0131ran@sbx", false)]
    [InlineData("kiran@sbx", "kiran@abdm", false)]
    [InlineData("kiran@sbx", "kiran@sbx ", false)]
    public void AreSame_TwoAddresses_EqualOnlyUpToAsciiCase(string left, string right, bool expected)
    {
        Assert.Equal(expected, PhrAddress.AreSame(left, right));
        Assert.Equal(expected, PhrAddress.AreSame(right, left));
    }

    [Fact]
    public void AreSame_Nulls_OnlyBothNullAreSame()
    {
        Assert.True(PhrAddress.AreSame(null, null));
        Assert.False(PhrAddress.AreSame("kiran@sbx", null));
        Assert.False(PhrAddress.AreSame(null, "kiran@sbx"));
    }

    [Theory]
    [InlineData("test@sbx")]
    [InlineData("a@b")]
    [InlineData("Patient-1@sbx")]
    [InlineData("first.last_2@abdm")]
    [InlineData("bench.000001@sbx")]
    [InlineData("x@dr.abdm")]
    public void IsWellFormed_NameAtSuffixOfAsciiLettersDigitsDotUnderscoreHyphen_True(string address) =>
        Assert.True(PhrAddress.IsWellFormed(address));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("test")]
    [InlineData("@sbx")]
    [InlineData("test@")]
    [InlineData("a@b@sbx")]
    [InlineData("k\u0131ran@sbx")]
    [InlineData("t\u00E9st@sbx")]
    [InlineData("te\u0301st@sbx")]
    [InlineData("test@sbx\u202E")]
    [InlineData("te\u200Bst@sbx")]
    [InlineData("te st@sbx")]
    [InlineData(" test@sbx")]
    [InlineData("test@sb+x")]
    [InlineData("test\uFF20sbx")]
    [InlineData("te!st@sbx")]
    [InlineData("\u017Fam@sbx")]
    public void IsWellFormed_AnythingElse_False(string? address) =>
        Assert.False(PhrAddress.IsWellFormed(address));
}
