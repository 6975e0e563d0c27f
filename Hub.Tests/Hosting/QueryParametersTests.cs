using Microsoft.AspNetCore.Http;
using RealtimeHub.Server.Hosting;

namespace RealtimeHub.Tests.Hosting;

/// <summary>
/// <see cref="QueryParameters"/> reads what <see cref="HttpRequest.Query"/> reads (decoding, names ignoring
/// case, repeated and empty values), without building the query collection that would stay with the request.
/// </summary>
public sealed class QueryParametersTests
{
    [Theory]
    [InlineData("?topic=bom:1", "topic")]
    [InlineData("?topic=bom%3A1&TOPIC=batch:2&Topic=merchant%3Am+1", "topic")]
    [InlineData("?topic=&topic", "topic")]
    [InlineData("?access_token=a.b.c&token=d", "access_token")]
    [InlineData("?access_token=a.b.c&token=d", "token")]
    [InlineData("?lastEventId=1700000000000-0%2Cbom%3A1", "lastEventId")]
    [InlineData("?a=1&&b=2&=3", "b")]
    [InlineData("?caf%C3%A9=cr%C3%A8me", "café")]
    [InlineData("?topic=bom:1", "missing")]
    [InlineData("", "topic")]
    public void Reads_every_value_as_the_query_collection_does(string queryString, string name)
    {
        var request = new DefaultHttpContext().Request;
        request.QueryString = new QueryString(queryString);

        var expected = request.Query[name];
        var read = QueryParameters.Get(request, name);

        Assert.Equal(expected.ToArray(), read.ToArray());
        Assert.Equal(request.Query.ContainsKey(name), QueryParameters.Contains(request, name));
    }

    [Fact]
    public void Reading_leaves_the_query_collection_unbuilt()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?topic=bom:1&id=x");

        Assert.Equal("bom:1", QueryParameters.Get(context.Request, "topic").ToString());
        Assert.True(QueryParameters.Contains(context.Request, "ID"));

        // The collection is built on first use of Request.Query and then kept in this feature.
        Assert.Null(context.Features.Get<Microsoft.AspNetCore.Http.Features.IQueryFeature>());
    }
}
