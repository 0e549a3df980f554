using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Syntax;

public class ParserTests
{
    private readonly ExprPool _pool = new();

    private Expr V(string name) => _pool.Variable(name);

    private Expr Parse(string text) => Parser.Parse(text, _pool, QueryLimits.Default, out _);

    [Fact]
    public void Precedence_is_not_then_and_then_xor_then_or()
    {
        var tree = Parse("a | b ^ c & !d");
        Assert.Same(_pool.Or(V("a"), _pool.Xor(V("b"), _pool.And(V("c"), _pool.Not(V("d"))))), tree);
    }

    [Fact]
    public void Jitmap_queries_parse_to_jitmap_trees()
    {
        // jitmap's examples: binary operators, left to right within a level.
        Assert.Same(_pool.And(V("a"), V("b")), Parse("a & b"));
        Assert.Same(_pool.Or(_pool.And(V("a"), V("b")), _pool.And(V("c"), _pool.Not(V("d")))), Parse("(a & b) | (c & !d)"));
        Assert.Same(_pool.And(V("a"), _pool.Or(V("b"), V("c"))), Parse("a & (b | c)"));
        Assert.Same(_pool.Not(_pool.Not(V("a"))), Parse("!!a"));
        Assert.Same(_pool.And(V("_x1"), V("123")), Parse("_x1&123"));
        Assert.Same(_pool.Or(_pool.Empty, _pool.Universe), Parse("$0 | $1"));
    }

    [Fact]
    public void Chains_of_one_operator_are_one_nary_node_and_parentheses_nest()
    {
        Assert.Same(_pool.And(V("a"), V("b"), V("c")), Parse("a & b & c"));
        Assert.Same(_pool.And(_pool.And(V("a"), V("b")), V("c")), Parse("(a & b) & c"));
        Assert.Same(_pool.Xor(V("a"), V("b"), V("c")), Parse("a^b^c"));
    }

    [Fact]
    public void Tilde_is_not_and_minus_is_and_not()
    {
        Assert.Same(_pool.Not(V("a")), Parse("~a"));
        Assert.Same(_pool.And(V("a"), _pool.Not(V("b"))), Parse("a - b"));
        Assert.Same(_pool.And(V("a"), _pool.Not(V("b")), V("c")), Parse("a -b & c"));
        Assert.Same(_pool.Or(_pool.And(V("a"), _pool.Not(V("b"))), V("c")), Parse("a - b | c"));
    }

    [Fact]
    public void Names_may_hold_dots_colons_and_dashes_inside()
    {
        Assert.Same(_pool.And(V("country:us"), V("ios-17.2"), V("a_b")), Parse("country:us & ios-17.2 & a_b"));
        Assert.Same(_pool.And(V("a-b"), _pool.Not(V("c"))), Parse("a-b - c"));
        Assert.Same(_pool.And(V("a"), _pool.Not(V("b"))), Parse("a- b"));
    }

    [Fact]
    public void Quoted_names_take_any_text_with_escapes()
    {
        Assert.Same(_pool.Or(V("a b"), V("x\"y\\z"), V("$0")), Parse("\"a b\" | \"x\\\"y\\\\z\" | \"$0\""));
    }

    [Fact]
    public void White_space_is_free()
    {
        Assert.Same(Parse("a&(b|!c)"), Parse("  a \t&\n( b |  ! c )  "));
    }

    [Fact]
    public void Names_are_listed_in_order_of_first_appearance()
    {
        Parser.Parse("c & (a | c) & !b", _pool, QueryLimits.Default, out var names);
        Assert.Equal(["c", "a", "b"], names);
    }

    [Theory]
    [InlineData("", 0, "empty query")]
    [InlineData("a &", 3, "unexpected end of query")]
    [InlineData("a & | b", 4, "unexpected '|'")]
    [InlineData("(a | b", 6, "unclosed '('")]
    [InlineData("a | b)", 5, "unbalanced ')'")]
    [InlineData("a b", 2, "unexpected name 'b'")]
    [InlineData("a & ()", 5, "empty parentheses")]
    [InlineData("a & #", 4, "unexpected character '#'")]
    [InlineData("a & $2", 4, "'$' must be followed by 0 or 1")]
    [InlineData("a & \"b", 4, "unterminated quoted name")]
    [InlineData("a & \"\"", 4, "empty quoted name")]
    [InlineData("- a", 0, "unexpected '-'")]
    [InlineData("a & $01", 4, "'$' must be followed by 0 or 1")]
    public void Bad_text_reports_the_column_and_what_was_expected(string text, int column, string reason)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Parse(text));
        Assert.Equal(column, error.Column);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(text, error.Query);
        Assert.Contains($"at column {column}", error.Message, StringComparison.Ordinal);
        var lines = error.CaretLines.Split('\n');
        Assert.Equal(2 + column, lines[1].IndexOf('^', StringComparison.Ordinal));
        Assert.Equal("  " + text, lines[0]);
    }

    [Theory]
    [InlineData("a && b", 3, "'&&' is not an operator; write a single '&' for and")]
    [InlineData("a || b", 3, "'||' is not an operator; write a single '|' for or")]
    [InlineData("(a || b)", 4, "'||' is not an operator")]
    [InlineData("a AND b", 2, "'AND' is a name here; write '&' for and")]
    [InlineData("a or b", 2, "'or' is a name here; write '|' for or")]
    [InlineData("NOT a", 4, "'NOT' is a name here; write '!' for not")]
    [InlineData("(a XOR b)", 3, "'XOR' is a name here; write '^' for xor")]
    public void Operators_of_other_languages_get_a_hint(string text, int column, string hint)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Parse(text));
        Assert.Equal(column, error.Column);
        Assert.Contains("(hint: " + hint, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_that_are_not_operator_words_get_no_hint()
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Parse("a band b"));
        Assert.DoesNotContain("hint", error.Reason, StringComparison.Ordinal);
        Assert.Equal(2, Parse("AND & OR").Operands.Count);
    }

    [Fact]
    public void A_long_name_in_an_error_is_shortened_to_one_readable_line()
    {
        var name = "n" + new string('x', 5000) + "end";
        var error = Assert.Throws<QuerySyntaxException>(() => Parse("a " + name));
        Assert.Contains($"'{name[..22]}...{name[^23..]}' (5004 characters)", error.Reason, StringComparison.Ordinal);
        Assert.True(error.Message.Split('\n').Max(l => l.Length) < 200);
    }

    [Fact]
    public void Expected_token_is_named()
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Parse("a & "));
        Assert.Equal("a name, '(', '!', '$0' or '$1'", error.Expected);
        Assert.Contains("expected a name", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<QuerySyntaxException>(() => Parse("(a"));
        Assert.Equal("')' or an operator", error.Expected);
    }

    [Fact]
    public void Limits_are_enforced_with_clear_errors()
    {
        var limits = new QueryLimits { MaxLength = 10, MaxDepth = 3, MaxNames = 2 };
        var tooLong = Assert.Throws<QuerySyntaxException>(() => Parser.Parse("a & b & c & d", _pool, limits, out _));
        Assert.Contains("over the limit of 10", tooLong.Message, StringComparison.Ordinal);
        var tooDeep = Assert.Throws<QuerySyntaxException>(() => Parser.Parse("((((a))))", _pool, limits, out _));
        Assert.Equal(3, tooDeep.Column);
        Assert.Contains("nesting deeper than 3", tooDeep.Message, StringComparison.Ordinal);
        var nots = Assert.Throws<QuerySyntaxException>(() => Parser.Parse("!!!!a", _pool, limits, out _));
        Assert.Equal(3, nots.Column);
        var names = Assert.Throws<QuerySyntaxException>(() => Parser.Parse("a|b|a|c", _pool, limits, out _));
        Assert.Equal(6, names.Column);
        Assert.Contains("more than 2 distinct names", names.Message, StringComparison.Ordinal);
        Parser.Parse("(((a)))", _pool, limits, out _);
    }

    [Fact]
    public void Deep_hostile_input_is_a_syntax_error_not_a_crash()
    {
        var text = new string('(', 100_000) + "a" + new string(')', 100_000);
        var error = Assert.Throws<QuerySyntaxException>(() => Parser.Parse(text));
        Assert.Equal(QueryLimits.Default.MaxDepth, error.Column);
    }

    [Fact]
    public void Random_bytes_only_ever_raise_syntax_errors()
    {
        var random = new Random(7);
        const string Alphabet = "ab_.:-$01!~&|^()\" \\#x";
        for (var i = 0; i < 3000; i++)
        {
            var chars = new char[random.Next(1, 16)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(Alphabet.Length)];
            }
            var text = new string(chars);
            try
            {
                var tree = Parser.Parse(text);
                Assert.Equal(tree, Parser.Parse(tree.ToString()));
            }
            catch (QuerySyntaxException error)
            {
                Assert.InRange(error.Column, 0, text.Length);
            }
        }
    }

    [Fact]
    public void Printed_form_parses_back_to_the_same_tree()
    {
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var tree = RandomExpressions.Next(random, _pool, 5);
            var printed = tree.ToString();
            Assert.Same(tree, Parse(printed));
        }
        var odd = _pool.Or(V("a b"), V("9x"), V("x-"), V("\"q\""), V("a:b"), _pool.Not(_pool.And(V("-"), V("."))));
        Assert.Same(odd, Parse(odd.ToString()));
    }
}
