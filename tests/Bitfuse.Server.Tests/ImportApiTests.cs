using System.Net;
using System.Net.Http.Headers;
using System.Text;
using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary><c>POST /import</c>: CSV streamed in small pieces without a length, Roaring bodies, bad lines, limits.</summary>
public class ImportApiTests
{
    [Fact]
    public async Task A_streamed_csv_import_adds_every_row_like_the_model()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "n0", 7))).EnsureSuccessStatusCode();
        var random = new Random(3);
        var model = new Dictionary<string, HashSet<uint>> { ["n0"] = [7] };
        var csv = new StringBuilder("name,value\r\n");
        for (var row = 0; row < 50_000; row++)
        {
            var name = "n" + random.Next(0, 30);
            var value = (uint)random.Next(0, 3_000_000);
            (model.TryGetValue(name, out var set) ? set : model[name] = []).Add(value);
            csv.Append(name).Append(',').Append(value).Append(row % 7 == 0 ? "\r\n" : "\n");
            if (row % 1000 == 0)
            {
                csv.Append('\n');
            }
        }

        var answer = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import", new TrickleContent(csv.ToString(), 1000, "text/csv")))).Json();

        Assert.Equal(50_000, answer.GetProperty("rows").GetInt64());
        Assert.Equal(model.Count, answer.GetProperty("names").GetInt32());
        Assert.Equal(Encoding.UTF8.GetByteCount(csv.ToString()), answer.GetProperty("bytes").GetInt64());
        foreach (var (name, set) in model)
        {
            var values = await (await server.QueryAsync(new { query = name, mode = "values", limit = 100_000 })).Json();
            Assert.Equal(set.Order(), values.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()));
        }
    }

    [Theory]
    [InlineData("a,1\nb,2\nc,x\n", 3, "'x' is not a value")]
    [InlineData("a,1\nb,-2\n", 2, "'-2' is not a value")]
    [InlineData("a,1\nb,4294967296\n", 2, "'4294967296'")]
    [InlineData("a,1\nno comma here\n", 2, "expected name,value")]
    [InlineData("a,1\n,5\n", 2, "the name is empty")]
    public async Task A_bad_line_is_refused_with_its_number_and_nothing_is_added(string csv, int line, string problemText)
    {
        await using var server = await RunningServer.StartAsync();

        var problem = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import", new TrickleContent(csv, 3, "text/csv"))))
            .Problem(400, ProblemTypes.InvalidRequest);

        Assert.Equal(line, problem.GetProperty("line").GetInt64());
        Assert.Contains(problemText, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await (await server.Client.GetAsync("/bitmaps")).Json()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_line_over_the_limit_is_refused_before_it_is_buffered_whole()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { MaxImportLineBytes = 64 });
        var csv = "a,1\n" + new string('x', 100_000) + ",1\n";

        var problem = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import", new TrickleContent(csv, 4096, "text/csv"))))
            .Problem(400, ProblemTypes.InvalidRequest);

        Assert.Equal(2, problem.GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task More_names_than_the_limit_are_refused()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { MaxImportNames = 2 });

        var problem = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import", new StringContent("a,1\nb,1\nc,1\n", Encoding.UTF8, "text/csv"))))
            .Problem(400, ProblemTypes.InvalidRequest);

        Assert.Contains("more than 2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_import_body_over_the_limit_is_a_413_even_without_a_length()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { MaxImportBodyBytes = 10_000 });
        var csv = string.Concat(Enumerable.Range(0, 5000).Select(i => $"a,{i}\n"));

        await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import", new TrickleContent(csv, 512, "text/csv"))))
            .Problem(413, ProblemTypes.TooLarge);
        Assert.Equal(0, (await (await server.Client.GetAsync("/bitmaps")).Json()).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_roaring_import_adds_to_the_named_bitmap()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "r", 1, 2))).EnsureSuccessStatusCode();
        using var bitmap = Bitmap.FromRange(100, 200_100);
        var content = new ByteArrayContent(bitmap.Serialize());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        var answer = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import?name=r", content))).Json();

        Assert.Equal(200_000, answer.GetProperty("rows").GetInt64());
        var count = await (await server.QueryAsync(new { query = "r" })).Json();
        Assert.Equal(200_002, count.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task A_roaring_import_needs_a_name_and_other_types_are_a_415()
    {
        await using var server = await RunningServer.StartAsync();
        using var bitmap = Bitmap.FromValues([1]);
        var roaring = new ByteArrayContent(bitmap.Serialize());
        roaring.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import", roaring))).Problem(400, ProblemTypes.InvalidRequest);
        await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/import", new StringContent("{}", Encoding.UTF8, "application/json"))))
            .Problem(415, UnsupportedMediaType);
    }

    /// <summary>A body sent in pieces of <c>piece</c> bytes with no Content-Length (chunked), as a stream arrives.</summary>
    private sealed class TrickleContent : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly int _piece;

        public TrickleContent(string text, int piece, string mediaType)
        {
            _bytes = Encoding.UTF8.GetBytes(text);
            _piece = piece;
            Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var at = 0; at < _bytes.Length; at += _piece)
            {
                await stream.WriteAsync(_bytes.AsMemory(at, Math.Min(_piece, _bytes.Length - at)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
