using Abdm.ProfileShare.Workflow.Internal;

namespace Abdm.ProfileShare.Tests.Workflow;

public sealed class ProfileTextTests
{
    [Theory]
    [InlineData('\u0000')]
    [InlineData('\u0009')]
    [InlineData('\u000A')]
    [InlineData('\u001F')]
    [InlineData('\u007F')]
    [InlineData('\u0085')]
    [InlineData('\u009F')]
    [InlineData('\u200B')]
    [InlineData('\u200D')]
    [InlineData('\u200E')]
    [InlineData('\u200F')]
    [InlineData('\u202A')]
    [InlineData('\u202D')]
    [InlineData('\u202E')]
    [InlineData('\u2066')]
    [InlineData('\u2069')]
    public void Clean_ControlOrBidiCharacter_Removed(char removed) =>
        Assert.Equal("Jane Doe", ProfileText.Clean("Ja" + removed + "ne Doe" + removed));

    [Theory]
    [InlineData('\u0020')]
    [InlineData('\u00A0')]
    [InlineData('\u00A9')]
    [InlineData('\u200A')]
    [InlineData('\u2010')]
    [InlineData('\u2029')]
    [InlineData('\u202F')]
    [InlineData('\u2065')]
    [InlineData('\u206A')]
    [InlineData('\u0B95')]
    public void Clean_CharacterOutsideTheRanges_Kept(char kept)
    {
        var text = "Ja" + kept + "ne";
        Assert.Equal(text, ProfileText.Clean(text));
    }

    [Fact]
    public void Clean_RightToLeftOverrideInName_RemovedRestInOrder() =>
        Assert.Equal("Jane eoD", ProfileText.Clean("Jane \u202EeoD\u202C"));

    [Fact]
    public void Clean_DecomposedAccent_ComposedToNfc()
    {
        var cleaned = ProfileText.Clean("Re\u0301na Mane\u0301");

        Assert.Equal("R\u00E9na Man\u00E9", cleaned);
        Assert.Equal(9, cleaned!.Length);
    }

    [Fact]
    public void Clean_AccentAfterRemovedCharacter_ComposesWithTheLetterBefore() =>
        Assert.Equal("R\u00E9na", ProfileText.Clean("Re\u200B\u0301na"));

    [Fact]
    public void Clean_TamilName_UnchangedNfc()
    {
        const string name = "\u0B95\u0BAE\u0BB2\u0BCD";
        Assert.Equal(name, ProfileText.Clean(name));
    }

    [Theory]
    [InlineData("\u202E")]
    [InlineData("\u200B\u200C\u2066\u2069")]
    [InlineData("\u0000\u001F\u007F")]
    public void Clean_OnlyRemovedCharacters_Empty(string text) =>
        Assert.Equal("", ProfileText.Clean(text));

    [Fact]
    public void Clean_NullOrEmpty_Unchanged()
    {
        Assert.Null(ProfileText.Clean(null));
        Assert.Equal("", ProfileText.Clean(""));
    }

    [Fact]
    public void Clean_CleanText_SameInstance()
    {
        const string name = "Jane Doe";
        Assert.Same(name, ProfileText.Clean(name));
    }

    [Fact]
    public void Clean_LoneSurrogate_KeptWithoutThrowing() =>
        Assert.Equal("Ja\uD800ne", ProfileText.Clean("Ja\uD800\u202Ene"));

    [Fact]
    public void Clean_WhitespaceAroundName_NotTrimmed() =>
        Assert.Equal(" Jane ", ProfileText.Clean(" Jane\u200F "));
}
