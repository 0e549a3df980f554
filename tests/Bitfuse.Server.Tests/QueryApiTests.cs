using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary><c>POST /query</c> in its three modes, checked against set models of what was committed, and its errors.</summary>
public class QueryApiTests
{
    [Fact]
    public async Task Count_values_and_explain_answer_like_the_set_model()
    {
        await using var server = await RunningServer.StartAsync();
        var random = new Random(17);
        var model = new Dictionary<string, HashSet<uint>>();
        foreach (var name in new[] { "us", "ios", "android", "churned" })
        {
            // Values over several keys, dense in some, sparse in others.
            var added = Enumerable.Range(0, 3000).Select(_ => (uint)random.Next(0, 400_000)).ToArray();
            model[name] = [.. added];
            (await server.CommitAsync(Op("add", name, added))).EnsureSuccessStatusCode();
        }
        var expected = new HashSet<uint>(model["ios"]);
        expected.UnionWith(model["android"]);
        expected.IntersectWith(model["us"]);
        expected.ExceptWith(model["churned"]);
        const string Text = "us & (ios | android) & !churned";

        var count = await (await server.QueryAsync(new { query = Text })).Json();
        Assert.Equal("count", count.GetProperty("mode").GetString());
        Assert.Equal(expected.Count, count.GetProperty("count").GetInt64());
        Assert.Equal(4, count.GetProperty("lsn").GetInt64());

        var values = await (await server.QueryAsync(new { query = Text, mode = "values", limit = 25 })).Json();
        Assert.Equal(expected.Count, values.GetProperty("count").GetInt64());
        Assert.Equal(expected.Order().Take(25), values.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()));
        Assert.True(values.GetProperty("truncated").GetBoolean());

        var all = await (await server.QueryAsync(new { query = Text, mode = "values", limit = 100_000 })).Json();
        Assert.Equal(expected.Order(), all.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()));
        Assert.False(all.GetProperty("truncated").GetBoolean());

        var explain = await (await server.QueryAsync(new { query = Text, mode = "explain" })).Json();
        Assert.Equal(expected.Count, explain.GetProperty("count").GetInt64());
        var tree = explain.GetProperty("explain").GetProperty("parsed");
        Assert.Equal("and", tree.GetProperty("kind").GetString());
        var leaves = new List<string>();
        CollectNames(tree, leaves);
        Assert.Equal(["us", "ios", "android", "churned"], leaves);
        Assert.Contains("churned", explain.GetProperty("explain").GetProperty("kernelInputs").EnumerateArray().Select(e => e.GetString()));
        Assert.True(explain.GetProperty("explain").GetProperty("keys").GetProperty("visited").GetInt64() > 0);
    }

    [Fact]
    public async Task A_universe_bounds_the_complement()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "a", 1, 5, 9))).EnsureSuccessStatusCode();

        var answer = await (await server.QueryAsync(new { query = "!a", mode = "values", universe = 12 })).Json();

        Assert.Equal([0u, 2, 3, 4, 6, 7, 8, 10, 11], answer.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()));
    }

    [Fact]
    public async Task A_syntax_error_is_a_problem_with_its_column_and_caret()
    {
        await using var server = await RunningServer.StartAsync();

        var problem = await (await server.QueryAsync(new { query = "a & (b | " })).Problem(400, ProblemTypes.QuerySyntax);

        Assert.Equal(9, problem.GetProperty("column").GetInt32());
        Assert.Equal("  a & (b | \n           ^", problem.GetProperty("caret").GetString());
        Assert.Contains("column 9", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_name_is_a_404_with_the_closest_names()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "country_us", 1), Op("add", "country_uk", 2))).EnsureSuccessStatusCode();

        var problem = await (await server.QueryAsync(new { query = "country_usa & country_uk" })).Problem(404, ProblemTypes.UnknownBitmap);

        Assert.Equal("country_usa", problem.GetProperty("name").GetString());
        Assert.Equal("country_us", problem.GetProperty("suggestions")[0].GetString());
    }

    [Theory]
    [InlineData("""{"query":"a","mode":"sum"}""", "mode 'sum'")]
    [InlineData("""{"query":"a","mode":"values","limit":-1}""", "limit -1")]
    [InlineData("""{"query":"a","limit":100001}""", "limit 100001")]
    [InlineData("""{"query":"a","universe":4294967297}""", "universe 4294967297")]
    public async Task Fields_out_of_range_are_refused(string body, string named)
    {
        await using var server = await RunningServer.StartAsync();

        var problem = await (await server.Client.PostAsync("/query", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .Problem(400, ProblemTypes.InvalidRequest);

        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"query": "a", """, 1)]
    [InlineData("{\n\"query\": \"a\",\n\"mode\": count\n}", 3)]
    public async Task Malformed_json_is_refused_with_its_line(string body, int line)
    {
        await using var server = await RunningServer.StartAsync();

        var problem = await (await server.Client.PostAsync("/query", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .Problem(400, ProblemTypes.InvalidJson);

        Assert.Equal(line, problem.GetProperty("line").GetInt64());
    }

    [Theory]
    [InlineData("""{"mode":"count"}""", "query")]
    [InlineData("""{"query":"a","querry":"b"}""", "querry")]
    public async Task Missing_and_unknown_members_are_refused(string body, string member)
    {
        await using var server = await RunningServer.StartAsync();

        var problem = await (await server.Client.PostAsync("/query", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .Problem(400, ProblemTypes.InvalidJson);

        Assert.Contains(member, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415()
    {
        await using var server = await RunningServer.StartAsync();

        await (await server.Client.PostAsync("/query", new StringContent("a & b", System.Text.Encoding.UTF8, "text/plain")))
            .Problem(415, UnsupportedMediaType);
    }

    private static void CollectNames(System.Text.Json.JsonElement node, List<string> names)
    {
        if (node.GetProperty("kind").GetString() == "variable")
        {
            names.Add(node.GetProperty("name").GetString()!);
        }
        if (node.TryGetProperty("operands", out var operands))
        {
            foreach (var operand in operands.EnumerateArray())
            {
                CollectNames(operand, names);
            }
        }
    }
}
