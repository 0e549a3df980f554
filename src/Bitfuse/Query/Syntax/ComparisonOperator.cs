namespace Bitfuse.Query.Syntax;

/// <summary>The operator of an <see cref="ExprKind.Compare"/> node: the field on the left, the constant on the right.</summary>
public enum ComparisonOperator
{
    /// <summary><c>field &lt; value</c>.</summary>
    Less,

    /// <summary><c>field &lt;= value</c>.</summary>
    LessOrEqual,

    /// <summary><c>field &gt; value</c>.</summary>
    Greater,

    /// <summary><c>field &gt;= value</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>field = value</c>.</summary>
    Equal,

    /// <summary><c>field != value</c>: the columns with another value (columns without one are not included).</summary>
    NotEqual,

    /// <summary><c>field != null</c>: the columns with a value.</summary>
    HasValue,

    /// <summary><c>field = null</c>: the columns of the universe without a value.</summary>
    IsNull,
}
