using System.Net;
using System.Text.Json;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Checks RFC 7807 answers: the status, the problem media type and the title/status/detail members.</summary>
public static class ProblemAssert
{
    /// <summary>Asserts <paramref name="response"/> is a problem of <paramref name="status"/>; returns its body.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    /// <summary>The problem's <c>detail</c> text.</summary>
    public static string Detail(this JsonElement problem) => problem.GetProperty("detail").GetString()!;
}
