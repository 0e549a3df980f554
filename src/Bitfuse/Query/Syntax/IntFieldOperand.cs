namespace Bitfuse.Query.Syntax;

/// <summary>
/// An int field on the left of a comparison, made by <see cref="Q.Int"/>: each operator and method makes the
/// <see cref="ExprKind.Compare"/> node the parser makes of the same text, so <c>Q.Int("age") &gt;= 30</c> is
/// <c>age &gt;= 30</c>, <c>10 &lt;= Q.Int("age")</c> is <c>10 &lt;= age</c> (the parser's <c>age &gt;= 10</c>), and
/// <c>Q.Int("age").Between(10, 20)</c> is <c>10 &lt;= age &lt; 20</c>. Comparisons hold only columns with a value.
/// </summary>
public sealed class IntFieldOperand
{
    internal IntFieldOperand(string name) => Name = name;

    /// <summary>The field's name.</summary>
    public string Name { get; }

    /// <summary><c>field &lt; value</c>.</summary>
    public static Expr operator <(IntFieldOperand field, long value) => Compare(field, ComparisonOperator.Less, value);

    /// <summary><c>field &lt;= value</c>.</summary>
    public static Expr operator <=(IntFieldOperand field, long value) => Compare(field, ComparisonOperator.LessOrEqual, value);

    /// <summary><c>field &gt; value</c>.</summary>
    public static Expr operator >(IntFieldOperand field, long value) => Compare(field, ComparisonOperator.Greater, value);

    /// <summary><c>field &gt;= value</c>.</summary>
    public static Expr operator >=(IntFieldOperand field, long value) => Compare(field, ComparisonOperator.GreaterOrEqual, value);

    /// <summary><c>value &lt; field</c>, which is <c>field &gt; value</c>.</summary>
    public static Expr operator <(long value, IntFieldOperand field) => Compare(field, ComparisonOperator.Greater, value);

    /// <summary><c>value &lt;= field</c>, which is <c>field &gt;= value</c>.</summary>
    public static Expr operator <=(long value, IntFieldOperand field) => Compare(field, ComparisonOperator.GreaterOrEqual, value);

    /// <summary><c>value &gt; field</c>, which is <c>field &lt; value</c>.</summary>
    public static Expr operator >(long value, IntFieldOperand field) => Compare(field, ComparisonOperator.Less, value);

    /// <summary><c>value &gt;= field</c>, which is <c>field &lt;= value</c>.</summary>
    public static Expr operator >=(long value, IntFieldOperand field) => Compare(field, ComparisonOperator.LessOrEqual, value);

    /// <summary><c>field = value</c>.</summary>
    public Expr EqualTo(long value) => Compare(this, ComparisonOperator.Equal, value);

    /// <summary><c>field != value</c>: the columns with another value.</summary>
    public Expr NotEqualTo(long value) => Compare(this, ComparisonOperator.NotEqual, value);

    /// <summary><c>field = null</c>: the columns of the universe without a value.</summary>
    public Expr IsNull() => Compare(this, ComparisonOperator.IsNull, 0);

    /// <summary><c>field != null</c>: the columns with a value.</summary>
    public Expr IsNotNull() => Compare(this, ComparisonOperator.HasValue, 0);

    /// <summary><c>low &lt;= field &lt; highExclusive</c>: the text's range form, the and of <c>field &gt;= low</c> and
    /// <c>field &lt; highExclusive</c>.</summary>
    public Expr Between(long low, long highExclusive) => (this >= low) & (this < highExclusive);

    /// <inheritdoc />
    public override string ToString() => Q.Name(Name).ToString();

    private static Expr Compare(IntFieldOperand field, ComparisonOperator comparison, long value)
    {
        ArgumentNullException.ThrowIfNull(field);
        return new Expr(ExprKind.Compare, field.Name, [], comparison, value);
    }
}
