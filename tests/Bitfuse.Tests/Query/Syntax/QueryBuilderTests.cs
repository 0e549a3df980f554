using System.Text;
using Bitfuse.Query.Syntax;
using Bitfuse.Tests.Bitmaps;

namespace Bitfuse.Tests.Query.Syntax;

/// <summary>
/// Queries built with <see cref="Q"/> and the <see cref="Expr"/> operators against the same queries written as text
/// and against a model: 200 random trees over 16 named bitmaps of 16 keys each (10 sets of inputs, 20 trees each).
/// The generator writes the text itself (every group in parentheses) and evaluates the model over a bool per value
/// of the universe, so neither side leans on the tree printer or the reference interpreter.
/// </summary>
public sealed class QueryBuilderTests
{
    private const int Universe = 16 << 16;

    [Fact]
    public void Built_and_written_queries_parse_to_the_same_tree()
    {
        var a = Q.Name("a");
        var b = Q.Name("b");
        var c = Q.Name("c");
        var d = Q.Name("d");
        Assert.Equal(Parser.Parse("a & !b | c ^ d"), a & !b | c ^ d);
        Assert.Equal(Parser.Parse("a | b | c"), a | b | c);
        // C#'s '-' binds tighter than '&': a & b - c is a & (b - c).
        Assert.Equal(Parser.Parse("a & (b & !c) & d"), a & b - c & d);
        Assert.Equal(Parser.Parse("a - b - c"), a - b - c);
        Assert.Equal(Parser.Parse("a & (b | c)"), a & (b | c));
        Assert.Equal(Parser.Parse("$1 - a | $0"), Q.All - a | Q.None);
        Assert.Equal(Parser.Parse("a ^ b ^ c ^ d"), Q.Xor(a, b, c, d));
        Assert.Equal(Parser.Parse("\"odd name\" | b"), Q.Name("odd name") | b);
        Assert.Same(a, Q.Or(a));
    }

    [Fact]
    public void Built_and_written_queries_give_the_models_answer()
    {
        var rng = new Random(4242);
        var engine = new QueryEngine();
        var options = new QueryRunOptions { UniverseEnd = Universe };
        for (var set = 0; set < 10; set++)
        {
            using var inputs = new BitmapSet(ownsBitmaps: true);
            var models = new bool[16][];
            var names = new string[16];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = $"n{i}";
                var (bitmap, model) = BitmapModel.Random(rng, keys: 16, containers: 6);
                inputs[names[i]] = bitmap;
                models[i] = new bool[Universe];
                foreach (var v in model)
                {
                    models[i][v] = true;
                }
            }
            for (var tree = 0; tree < 20; tree++)
            {
                var text = new StringBuilder();
                var built = Next(rng, 4, names, models, text, out var expected);
                var written = engine.Compile(text.ToString());
                var compiled = engine.Compile(built);
                var count = expected.Count(x => x);
                Assert.Equal(count, written.Count(inputs, options));
                Assert.Equal(count, compiled.Count(inputs, options));
                using var result = compiled.Evaluate(inputs, options);
                var values = result.ToArray();
                Assert.Equal(count, values.Length);
                foreach (var v in values)
                {
                    Assert.True(expected[v], $"{v} is not in {text}");
                }

                // The built tree prints as text that parses back to it, and shares the text's compiled query.
                Assert.Equal(built, Parser.Parse(built.ToString()));
                Assert.Same(engine.Compile(built.ToString()), compiled);
            }
        }
    }

    [Fact]
    public void Trees_over_the_limits_are_refused()
    {
        var engine = new QueryEngine(new QueryOptions { Limits = new QueryLimits { MaxDepth = 8, MaxNames = 3 } });
        var deep = Q.Name("a");
        for (var i = 0; i < 10; i++)
        {
            deep = !deep;
        }
        Assert.Contains("deep", Assert.Throws<ArgumentException>(() => engine.Compile(deep)).Message);
        Assert.Contains("names 4", Assert.Throws<ArgumentException>(() => engine.Compile(Q.Or(Q.Name("a"), Q.Name("b"), Q.Name("c"), Q.Name("d")))).Message);
        // With comparisons the fields count among the names too, as in text.
        Assert.Throws<ArgumentException>(() => engine.Compile(Q.Name("a") & Q.Name("b") & (Q.Int("age") > 30) & (Q.Int("score") < 3)));
        Assert.Throws<ArgumentException>(() => Q.Name(""));
        Assert.Throws<ArgumentException>(() => Q.And());
    }

    // A random tree built with the operators, its text written here, and its answer over the universe.
    private static Expr Next(Random rng, int depth, string[] names, bool[][] models, StringBuilder text, out bool[] answer)
    {
        if (depth == 0 || rng.Next(4) == 0)
        {
            var leaf = rng.Next(names.Length + 2);
            if (leaf == names.Length)
            {
                text.Append("$0");
                answer = new bool[Universe];
                return Q.None;
            }
            if (leaf == names.Length + 1)
            {
                text.Append("$1");
                answer = new bool[Universe];
                Array.Fill(answer, true);
                return Q.All;
            }
            text.Append(names[leaf]);
            answer = (bool[])models[leaf].Clone();
            return Q.Name(names[leaf]);
        }
        var op = rng.Next(5);
        if (op == 0)
        {
            text.Append("!(");
            var operand = Next(rng, depth - 1, names, models, text, out answer);
            text.Append(')');
            for (var v = 0; v < Universe; v++)
            {
                answer[v] = !answer[v];
            }
            return !operand;
        }
        text.Append('(');
        var left = Next(rng, depth - 1, names, models, text, out answer);
        text.Append(op switch { 1 => " & ", 2 => " | ", 3 => " ^ ", _ => " - " });
        var right = Next(rng, depth - 1, names, models, text, out var other);
        text.Append(')');
        for (var v = 0; v < Universe; v++)
        {
            answer[v] = op switch
            {
                1 => answer[v] & other[v],
                2 => answer[v] | other[v],
                3 => answer[v] ^ other[v],
                _ => answer[v] & !other[v],
            };
        }
        return op switch
        {
            1 => left & right,
            2 => left | right,
            3 => left ^ right,
            _ => left - right,
        };
    }
}
