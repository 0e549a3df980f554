namespace Bitfuse.Query.Syntax;

/// <summary>
/// Recursive-descent parser for the query language. Precedence, tightest first: <c>!</c>/<c>~</c>,
/// <c>&amp;</c>/<c>-</c>, <c>^</c>, <c>|</c> — jitmap's grammar as a subset, so every jitmap query parses to
/// the same tree. A chain of one operator (<c>a &amp; b &amp; c</c>) becomes one n-ary node; parentheses
/// keep their nesting, so the printed form of a tree parses back to that tree. <c>a - b</c> is
/// <c>a &amp; !b</c>. The only exception thrown for bad text is <see cref="QuerySyntaxException"/>.
/// </summary>
internal sealed class Parser
{
    private readonly string _text;
    private readonly ExprPool _pool;
    private readonly QueryLimits _limits;
    private readonly List<string> _names = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private Lexer _lexer;
    private Token _current;
    private Token _previous;
    private int _depth;

    private Parser(string text, ExprPool pool, QueryLimits limits)
    {
        _text = text;
        _pool = pool;
        _limits = limits;
        _lexer = new Lexer(text);
    }

    /// <summary>Parses <paramref name="text"/> into a tree from a new pool, with the default limits.</summary>
    public static Expr Parse(string text) => Parse(text, new ExprPool(), QueryLimits.Default, out _);

    /// <summary>Parses <paramref name="text"/> into a tree made by <paramref name="pool"/>.</summary>
    /// <param name="text">The query.</param>
    /// <param name="pool">The pool that makes (and shares) the nodes.</param>
    /// <param name="limits">Length, depth and name limits.</param>
    /// <param name="names">The distinct names in order of first appearance.</param>
    public static Expr Parse(string text, ExprPool pool, QueryLimits limits, out IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(limits);
        if (text.Length > limits.MaxLength)
        {
            throw new QuerySyntaxException($"query is {text.Length} characters long, over the limit of {limits.MaxLength}", text, limits.MaxLength, null);
        }
        var parser = new Parser(text, pool, limits);
        parser.Advance();
        if (parser._current.Kind == TokenKind.End)
        {
            throw new QuerySyntaxException("empty query", text, 0, Lexer.ExpectedOperand);
        }
        var tree = parser.ParseOr();
        if (parser._current.Kind != TokenKind.End)
        {
            var what = parser._current.Kind == TokenKind.Close ? "unbalanced ')'" : parser.Unexpected(parser._current);
            throw new QuerySyntaxException(what, text, parser._current.Column, "an operator or the end of the query");
        }
        names = parser._names;
        return tree;
    }

    private void Advance()
    {
        _previous = _current;
        _current = _lexer.Next();
    }

    /// <summary>
    /// "unexpected X", with a hint when the text looks like another language's operators: <c>&amp;&amp;</c>,
    /// <c>||</c>, or the words AND, OR, NOT, XOR (which are names here).
    /// </summary>
    private string Unexpected(Token token)
    {
        var what = $"unexpected {Describe(token)}";
        if (token.Kind is TokenKind.And or TokenKind.Or && _previous.Kind == token.Kind && _previous.Column == token.Column - 1)
        {
            var op = token.Kind == TokenKind.And ? "&" : "|";
            return $"{what} (hint: '{op}{op}' is not an operator; write a single '{op}' for {(op == "&" ? "and" : "or")})";
        }
        var word = WordOperator(token) ?? WordOperator(_previous);
        return word is null ? what : $"{what} (hint: {word})";
    }

    private static string? WordOperator(Token token) => token.Kind != TokenKind.Name || token.Name is null ? null : token.Name.ToUpperInvariant() switch
    {
        "AND" => $"'{token.Name}' is a name here; write '&' for and",
        "OR" => $"'{token.Name}' is a name here; write '|' for or",
        "NOT" => $"'{token.Name}' is a name here; write '!' for not",
        "XOR" => $"'{token.Name}' is a name here; write '^' for xor",
        _ => null,
    };

    private Expr ParseOr() => ParseChain(TokenKind.Or, ExprKind.Or);

    private Expr ParseXor() => ParseChain(TokenKind.Xor, ExprKind.Xor);

    private Expr ParseChain(TokenKind op, ExprKind kind)
    {
        var first = op == TokenKind.Or ? ParseXor() : ParseAnd();
        if (_current.Kind != op)
        {
            return first;
        }
        var operands = new List<Expr> { first };
        while (_current.Kind == op)
        {
            Advance();
            operands.Add(op == TokenKind.Or ? ParseXor() : ParseAnd());
        }
        return _pool.Make(kind, operands.ToArray());
    }

    private Expr ParseAnd()
    {
        var first = ParseUnary();
        if (_current.Kind is not (TokenKind.And or TokenKind.AndNot))
        {
            return first;
        }
        var operands = new List<Expr> { first };
        while (_current.Kind is TokenKind.And or TokenKind.AndNot)
        {
            var negate = _current.Kind == TokenKind.AndNot;
            Advance();
            var operand = ParseUnary();
            operands.Add(negate ? _pool.Not(operand) : operand);
        }
        return _pool.And(operands.ToArray());
    }

    private Expr ParseUnary()
    {
        if (_current.Kind != TokenKind.Not)
        {
            return ParsePrimary();
        }
        var column = _current.Column;
        Enter(column);
        Advance();
        var operand = ParseUnary();
        _depth--;
        return _pool.Not(operand);
    }

    private Expr ParsePrimary()
    {
        var token = _current;
        switch (token.Kind)
        {
            case TokenKind.Empty:
                Advance();
                return _pool.Empty;
            case TokenKind.Universe:
                Advance();
                return _pool.Universe;
            case TokenKind.Name:
                Advance();
                return Name(token);
            case TokenKind.Open:
                Enter(token.Column);
                Advance();
                if (_current.Kind == TokenKind.Close)
                {
                    throw new QuerySyntaxException("empty parentheses", _text, _current.Column, Lexer.ExpectedOperand);
                }
                var inner = ParseOr();
                if (_current.Kind != TokenKind.Close)
                {
                    throw new QuerySyntaxException(
                        _current.Kind == TokenKind.End ? "unclosed '('" : Unexpected(_current),
                        _text, _current.Column, "')' or an operator");
                }
                Advance();
                _depth--;
                return inner;
            default:
                throw new QuerySyntaxException(
                    token.Kind == TokenKind.End ? "unexpected end of query" : Unexpected(token),
                    _text, token.Column, Lexer.ExpectedOperand);
        }
    }

    private Expr Name(Token token)
    {
        var name = token.Name!;
        if (_seen.Add(name))
        {
            if (_names.Count >= _limits.MaxNames)
            {
                throw new QuerySyntaxException($"more than {_limits.MaxNames} distinct names", _text, token.Column, null);
            }
            _names.Add(name);
        }
        return _pool.Variable(name);
    }

    private void Enter(int column)
    {
        if (++_depth > _limits.MaxDepth)
        {
            throw new QuerySyntaxException($"nesting deeper than {_limits.MaxDepth}", _text, column, null);
        }
    }

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.Name => $"name {NameText.Quote(token.Name!)}",
        TokenKind.Empty => "'$0'",
        TokenKind.Universe => "'$1'",
        TokenKind.Not => "'!'",
        TokenKind.And => "'&'",
        TokenKind.AndNot => "'-'",
        TokenKind.Or => "'|'",
        TokenKind.Xor => "'^'",
        TokenKind.Open => "'('",
        TokenKind.Close => "')'",
        _ => "end of query",
    };
}
