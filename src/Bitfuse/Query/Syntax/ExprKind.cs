namespace Bitfuse.Query.Syntax;

/// <summary>The kinds of <see cref="Expr"/> node.</summary>
public enum ExprKind
{
    /// <summary><c>$0</c>: the empty set.</summary>
    Empty,

    /// <summary><c>$1</c>: every value of the universe.</summary>
    Universe,

    /// <summary>A named input bitmap.</summary>
    Variable,

    /// <summary>The complement of the single operand within the universe.</summary>
    Not,

    /// <summary>The intersection of two or more operands.</summary>
    And,

    /// <summary>The union of two or more operands.</summary>
    Or,

    /// <summary>The symmetric difference of two or more operands (odd count of memberships).</summary>
    Xor,

    /// <summary>A comparison of an int field with a constant (<c>age &gt;= 30</c>, <c>age != null</c>): the columns where it holds.</summary>
    Compare,
}
