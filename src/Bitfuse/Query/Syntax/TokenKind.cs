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

    /// <summary>The end of the text.</summary>
    End,
}
