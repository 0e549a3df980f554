using Bitfuse.Query.Syntax;

namespace Bitfuse.Tests.Query.Syntax;

/// <summary>Comparisons, row groups and aggregate calls: their trees, their printed forms, and errors with carets.</summary>
public class FieldSyntaxTests
{
    private readonly ExprPool _pool = new();

    private Expr V(string name) => _pool.Variable(name);

    private Expr C(string field, ComparisonOperator op, long value) => _pool.Compare(field, op, value);

    private Expr Parse(string text) => Parser.Parse(text, _pool, QueryLimits.Default, out _);

    [Fact]
    public void Comparisons_are_primaries_inside_boolean_expressions()
    {
        Assert.Same(
            _pool.And(V("city:paris"), C("age", ComparisonOperator.GreaterOrEqual, 30), C("age", ComparisonOperator.Less, 40), _pool.Not(V("churned"))),
            Parse("city:paris & age >= 30 & age < 40 & !churned"));
        Assert.Same(_pool.And(C("age", ComparisonOperator.GreaterOrEqual, 10), C("age", ComparisonOperator.Less, 20)), Parse("10 <= age < 20"));
        Assert.Same(_pool.And(C("age", ComparisonOperator.Less, 20), C("age", ComparisonOperator.GreaterOrEqual, -10)), Parse("20 > age >= -10"));
        Assert.Same(_pool.And(C("age", ComparisonOperator.GreaterOrEqual, -5), C("age", ComparisonOperator.LessOrEqual, 5)), Parse("-5 <= age <= 5"));
        Assert.Same(C("age", ComparisonOperator.Greater, 10), Parse("10 < age"));
        Assert.Same(C("age", ComparisonOperator.Equal, 7), Parse("age = 7"));
        Assert.Same(C("age", ComparisonOperator.Equal, 7), Parse("age == 7"));
        Assert.Same(C("age", ComparisonOperator.NotEqual, -7), Parse("age != -7"));
        Assert.Same(C("age", ComparisonOperator.HasValue, 0), Parse("age != null"));
        Assert.Same(C("age", ComparisonOperator.IsNull, 0), Parse("age = null"));
        Assert.Same(_pool.Not(C("age", ComparisonOperator.Greater, 3)), Parse("!age > 3"));
        Assert.Same(C("age", ComparisonOperator.LessOrEqual, long.MinValue), Parse("age <= -9223372036854775808"));
        Assert.Same(_pool.And(V("a"), _pool.Not(C("age", ComparisonOperator.Greater, 3))), Parse("a - age > 3"));
    }

    [Fact]
    public void A_row_group_prefixes_the_names_inside_with_the_field()
    {
        Assert.Same(_pool.Or(V("os:ios"), V("os:android")), Parse("os:(ios | android)"));
        Assert.Same(_pool.And(V("x"), _pool.Or(V("os:ios"), _pool.Not(V("os:new york")))), Parse("x & os:(ios | !\"new york\")"));
        Assert.Same(_pool.And(V("os:a"), V("b")), Parse("os:(a) & b"));
        Assert.Same(V("os:ios"), Parse("os:ios"));
        Assert.Same(_pool.Or(V("city:new york"), V("city:a \"b\"")), Parse("city:\"new york\" | city:\"a \\\"b\\\"\""));
    }

    [Theory]
    [InlineData("city:paris & age >= 30 & age < 40 & !churned")]
    [InlineData("10 <= age < 20 | age = -7")]
    [InlineData("!(age != null) ^ age = null")]
    [InlineData("os:(ios | android) & age > 9223372036854775807")]
    public void Printed_trees_parse_back(string text)
    {
        var tree = Parse(text);
        Assert.Same(tree, Parse(tree.ToString()));
    }

    [Theory]
    [InlineData("age >= ", 7, "unexpected end of query")]
    [InlineData("age >= x", 7, "unexpected name 'x'")]
    [InlineData("age < null", 6, "'age' compares with null only by '=' or '!='")]
    [InlineData("10 <= age > 20", 10, "a range over 'age' needs both bounds in one direction")]
    [InlineData("10 <= 20", 6, "unexpected name '20'")]
    [InlineData("age >= 99999999999999999999", 7, "99999999999999999999 is outside the 64-bit integers")]
    [InlineData("os:(a | age > 3)", 8, "a comparison of 'age' inside the rows of 'os'")]
    [InlineData("os:(a | b:(c))", 8, "rows of 'b' inside the rows of 'os'")]
    [InlineData("a & age >= 3 >= 4", 13, "unexpected '>='")]
    public void Errors_point_at_the_field_or_value(string text, int column, string reason)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Parse(text));
        Assert.Equal(column, error.Column);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void Aggregate_calls_parse_with_their_fields_and_filter()
    {
        var count = Parser.ParseAggregate("count(a & age > 3)", _pool, QueryLimits.Default);
        Assert.Equal(AggregateFunction.Count, count.Function);
        Assert.Same(_pool.And(V("a"), C("age", ComparisonOperator.Greater, 3)), count.Filter);
        Assert.Equal(["age"], count.Comparisons.Select(f => f.Name));
        var sum = Parser.ParseAggregate("sum(age, city:paris)", _pool, QueryLimits.Default);
        Assert.Equal((AggregateFunction.Sum, "age", 4), (sum.Function, sum.Fields[0].Name, sum.Fields[0].Column));
        var top = Parser.ParseAggregate("topn(city, 10, os:(ios | android))", _pool, QueryLimits.Default);
        Assert.Equal((AggregateFunction.TopN, 10), (top.Function, top.Limit));
        Assert.Same(_pool.Or(V("os:ios"), V("os:android")), top.Filter);
        Assert.Null(Parser.ParseAggregate("topn(city, 3)", _pool, QueryLimits.Default).Filter);
        var group = Parser.ParseAggregate("groupby(os, country, segment, $1)", _pool, QueryLimits.Default);
        Assert.Equal(["os", "country", "segment"], group.Fields.Select(f => f.Name));
        Assert.Same(_pool.Universe, group.Filter);
        Assert.True(Parser.IsAggregate("  max(age, a)"));
        Assert.False(Parser.IsAggregate("max & a"));
        Assert.False(Parser.IsAggregate("a & count(b)"));
    }

    [Theory]
    [InlineData("topn(city, 0, a)", 11, "unexpected name '0'")]
    [InlineData("topn(city a)", 10, "unexpected name 'a'")]
    [InlineData("sum(age, a) b", 12, "unexpected name 'b' after the aggregate")]
    [InlineData("median(age, a)", 0, "unexpected name 'median'")]
    [InlineData("count(a", 7, "unclosed '('")]
    [InlineData("count()", 6, "unexpected ')'")]
    public void Aggregate_errors_point_at_the_argument(string text, int column, string reason)
    {
        var error = Assert.Throws<QuerySyntaxException>(() => Parser.ParseAggregate(text, _pool, QueryLimits.Default));
        Assert.Equal(column, error.Column);
        Assert.Equal(reason, error.Reason);
    }
}
