namespace Bitfuse.Query.Syntax;

/// <summary>The kinds of token in query text.</summary>
internal enum TokenKind
{
    /// <summary>A bare or quoted bitmap name.</summary>
    Name,

    /// <summary><c>$0</c>, the empty set.</summary>
    Empty,

    /// <summary><c>$1</c>, the universe.</summary>
    Universe,

    /// <summary><c>!</c> or <c>~</c>.</summary>
    Not,

    /// <summary><c>&amp;</c>.</summary>
    And,

    /// <summary><c>-</c> (and-not).</summary>
    AndNot,

    /// <summary><c>|</c>.</summary>
    Or,

    /// <summary><c>^</c>.</summary>
    Xor,

    /// <summary><c>(</c>.</summary>
    Open,

    /// <summary><c>)</c>.</summary>
    Close,

    /// <summary><c>&lt;</c>.</summary>
    Less,

    /// <summary><c>&lt;=</c>.</summary>
    LessOrEqual,

    /// <summary><c>&gt;</c>.</summary>
    Greater,

    /// <summary><c>&gt;=</c>.</summary>
    GreaterOrEqual,

    /// <summary><c>=</c> or <c>==</c>.</summary>
    Equal,

    /// <summary><c>!=</c>.</summary>
    NotEqual,

    /// <summary><c>,</c> (between the arguments of an aggregate call).</summary>
    Comma,

    /// <summary>A field name directly followed by <c>:(</c>: the names in the group are rows of that field.</summary>
    FieldGroup,

    /// <summary>The end of the text.</summary>
    End,
}
