using System.Net.Http.Headers;
using System.Text.Json;
using Abdm.ProfileShare.AspNetCore.Tests.Security;
using Xunit.Abstractions;

namespace Abdm.ProfileShare.AspNetCore.Tests.Endpoints;

public sealed class HostileBodyTests(HostileBodyTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<HostileBodyTests.Fixture>
{
    [Fact]
    public void Corpus_HasAtLeastHundredCases() => Assert.True(HostileBodyCorpus.Cases.Count >= 100, $"{HostileBodyCorpus.Cases.Count} cases");

    [Theory]
    [MemberData(nameof(HostileBodyCorpus.Names), MemberType = typeof(HostileBodyCorpus))]
    public async Task Read_HostileBody_Returns4xxJsonErrorWithoutEchoAndAcceptsNothing(string name)
    {
        var app = fixture.App;
        var @case = HostileBodyCorpus.Cases[name];
        var content = @case.Content();
        if (name.StartsWith("gzip", StringComparison.Ordinal))
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        using var response = await app.PostAsync("Bearer " + fixture.Token, content, @case.ContentType);

        var text = await response.Content.ReadAsStringAsync();
        output.WriteLine($"{name}: {(int)response.StatusCode} {text}");
        Assert.Equal(@case.ExpectedStatus, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(@case.ExpectedStatus, error.GetProperty("code").GetInt32());
        var message = error.GetProperty("message").GetString();
        Assert.False(string.IsNullOrWhiteSpace(message));
        Assert.DoesNotContain(HostileBodyCorpus.Marker, text, StringComparison.OrdinalIgnoreCase);
        Assert.True(text.Length < 400, text);
        Assert.Empty(app.Accepted);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        internal ProbeApp App { get; private set; } = null!;

        internal string Token { get; private set; } = "";

        public async Task InitializeAsync()
        {
            App = await ProbeApp.StartAsync();
            Token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(App.Time.GetUtcNow(), TimeSpan.FromHours(1)), TestTokens.RsaSigner(TestKeys.Gateway, System.Security.Cryptography.HashAlgorithmName.SHA256));
        }

        public async Task DisposeAsync() => await App.DisposeAsync();
    }
}
