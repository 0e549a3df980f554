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
    private readonly List<FieldReference> _fields = [];
    private string? _rowPrefix;
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
    public static Expr Parse(string text, ExprPool pool, QueryLimits limits, out IReadOnlyList<string> names) =>
        Parse(text, pool, limits, out names, out _);

    /// <summary>Parses <paramref name="text"/>; <paramref name="fields"/> receives each int field a comparison names, with its first column.</summary>
    /// <param name="text">The query.</param>
    /// <param name="pool">The pool that makes (and shares) the nodes.</param>
    /// <param name="limits">Length, depth and name limits.</param>
    /// <param name="names">The distinct bitmap names in order of first appearance.</param>
    /// <param name="fields">The distinct int fields of the comparisons, in order of first appearance.</param>
    public static Expr Parse(string text, ExprPool pool, QueryLimits limits, out IReadOnlyList<string> names, out IReadOnlyList<FieldReference> fields)
    {
        var parser = Start(text, pool, limits);
        if (parser._current.Kind == TokenKind.End)
        {
            throw new QuerySyntaxException("empty query", text, 0, Lexer.ExpectedOperand);
        }
        var tree = parser.ParseFilter();
        if (parser._current.Kind != TokenKind.End)
        {
            var what = parser._current.Kind == TokenKind.Close ? "unbalanced ')'" : parser.Unexpected(parser._current);
            throw new QuerySyntaxException(what, text, parser._current.Column, "an operator or the end of the query");
        }
        names = parser._names;
        fields = parser._fields;
        return tree;
    }

    /// <summary>A parser on the first token of <paramref name="text"/>, after the checks every entry point makes.</summary>
    private static Parser Start(string text, ExprPool pool, QueryLimits limits)
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
        return parser;
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

    /// <summary>
    /// Parses an aggregate call: <c>count(f)</c>, <c>sum(age, f)</c>, <c>min(age, f)</c>, <c>max(age, f)</c>,
    /// <c>topn(city, 10, f)</c> (the filter optional), <c>groupby(os, country, f)</c> (the last argument is the filter).
    /// </summary>
    /// <exception cref="QuerySyntaxException">The text is not an aggregate call, or its filter does not parse.</exception>
    public static AggregateCall ParseAggregate(string text, ExprPool pool, QueryLimits limits)
    {
        var parser = Start(text, pool, limits);
        return parser.ParseCall();
    }

    /// <summary>True when <paramref name="text"/> starts with an aggregate call (<c>count(</c>, <c>topn(</c>, ...).</summary>
    public static bool IsAggregate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var lexer = new Lexer(text);
            var first = lexer.Next();
            return first.Kind == TokenKind.Name && AggregateCall.FunctionOf(first.Name!) is not null && lexer.Next().Kind == TokenKind.Open;
        }
        catch (QuerySyntaxException)
        {
            return false;
        }
    }

    private AggregateCall ParseCall()
    {
        var head = _current;
        var function = head.Kind == TokenKind.Name ? AggregateCall.FunctionOf(head.Name!) : null;
        if (function is not { } kind)
        {
            throw new QuerySyntaxException(
                head.Kind == TokenKind.End ? "empty query" : $"unexpected {Describe(head)}", _text, head.Column,
                "an aggregate: count, sum, min, max, topn or groupby");
        }
        Advance();
        Expect(TokenKind.Open, "'('");
        var fields = new List<FieldReference>();
        var limit = 0;
        Expr? filter = null;
        var filterColumn = 0;
        switch (kind)
        {
            case AggregateFunction.Count:
                filterColumn = _current.Column;
                filter = ParseFilter();
                break;
            case AggregateFunction.Sum:
            case AggregateFunction.Min:
            case AggregateFunction.Max:
                fields.Add(FieldArgument());
                Expect(TokenKind.Comma, "','");
                filterColumn = _current.Column;
                filter = ParseFilter();
                break;
            case AggregateFunction.TopN:
                fields.Add(FieldArgument());
                Expect(TokenKind.Comma, "','");
                limit = CountArgument();
                if (_current.Kind == TokenKind.Comma)
                {
                    Advance();
                    filterColumn = _current.Column;
                    filter = ParseFilter();
                }
                break;
            default:
                fields.Add(FieldArgument());
                Expect(TokenKind.Comma, "','");
                // Fields while a name is followed by a comma; the last argument is the filter.
                while (_current.Kind == TokenKind.Name && PeekKind() == TokenKind.Comma)
                {
                    fields.Add(FieldArgument());
                    Advance();
                }
                filterColumn = _current.Column;
                filter = ParseFilter();
                break;
        }
        if (_current.Kind != TokenKind.Close)
        {
            throw new QuerySyntaxException(
                _current.Kind == TokenKind.End ? "unclosed '('" : $"unexpected {Describe(_current)}", _text, _current.Column, "')'");
        }
        Advance();
        if (_current.Kind != TokenKind.End)
        {
            throw new QuerySyntaxException($"unexpected {Describe(_current)} after the aggregate", _text, _current.Column, "the end of the query");
        }
        return new AggregateCall(kind, fields, limit, filter, filterColumn, _names, _fields);
    }

    private FieldReference FieldArgument()
    {
        var token = _current;
        if (token.Kind != TokenKind.Name)
        {
            throw new QuerySyntaxException($"unexpected {Describe(token)}", _text, token.Column, "a field name");
        }
        Advance();
        return new FieldReference(token.Name!, token.Column);
    }

    private int CountArgument()
    {
        var token = _current;
        if (token.Kind != TokenKind.Name || !int.TryParse(token.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1)
        {
            throw new QuerySyntaxException($"unexpected {Describe(token)}", _text, token.Column, "a positive count of rows");
        }
        Advance();
        return n;
    }

    private void Expect(TokenKind kind, string what)
    {
        if (_current.Kind != kind)
        {
            throw new QuerySyntaxException(
                _current.Kind == TokenKind.End ? "unexpected end of query" : $"unexpected {Describe(_current)}", _text, _current.Column, what);
        }
        Advance();
    }

    private TokenKind PeekKind()
    {
        var copy = _lexer;
        return copy.Next().Kind;
    }

    private Expr ParseFilter()
    {
        if (_current.Kind == TokenKind.End)
        {
            throw new QuerySyntaxException("unexpected end of query", _text, _current.Column, Lexer.ExpectedOperand);
        }
        return ParseOr();
    }

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
                if (IsComparison(_current.Kind))
                {
                    return IsInteger(token.Name!) && _current.Kind is not (TokenKind.Equal or TokenKind.NotEqual)
                        ? ParseBoundedComparison(token.Name!, token.Column, negative: false)
                        : ParseComparison(token);
                }
                return Name(token);
            case TokenKind.AndNot when PeekIsNegativeBound():
                // -5 <= age < 5: a negative lower bound.
                Advance();
                var bound = _current;
                Advance();
                return ParseBoundedComparison(bound.Name!, token.Column, negative: true);
            case TokenKind.FieldGroup:
                return ParseFieldGroup(token);
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

    private static bool IsComparison(TokenKind kind) =>
        kind is TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual or TokenKind.Equal or TokenKind.NotEqual;

    private static bool IsInteger(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return name.Length > 0;
    }

    private bool PeekIsNegativeBound()
    {
        var copy = _lexer;
        var number = copy.Next();
        return number.Kind == TokenKind.Name && IsInteger(number.Name!) && copy.Next().Kind is TokenKind.Less or TokenKind.LessOrEqual or TokenKind.Greater or TokenKind.GreaterOrEqual;
    }

    // field op constant, with the constant an integer or (for = and !=) null.
    private Expr ParseComparison(Token field)
    {
        var op = _current;
        CheckField(field);
        Advance();
        if (_current.Kind == TokenKind.Name && _current.Name == "null")
        {
            if (op.Kind is not (TokenKind.Equal or TokenKind.NotEqual))
            {
                throw new QuerySyntaxException($"'{field.Name}' compares with null only by '=' or '!='", _text, _current.Column, "an integer");
            }
            Advance();
            return _pool.Compare(field.Name!, op.Kind == TokenKind.Equal ? ComparisonOperator.IsNull : ComparisonOperator.HasValue, 0);
        }
        var value = ParseInteger(op.Kind is TokenKind.Equal or TokenKind.NotEqual ? "an integer or null" : "an integer");
        return _pool.Compare(field.Name!, Operator(op.Kind), value);
    }

    // constant op field [op constant]: 10 <= age < 20, 20 > age >= 10, 10 < age.
    private Expr ParseBoundedComparison(string lowText, int column, bool negative)
    {
        var low = ToInteger(lowText, negative, column);
        var first = _current;
        Advance();
        var field = _current;
        if (field.Kind != TokenKind.Name || IsInteger(field.Name!))
        {
            throw new QuerySyntaxException(
                field.Kind == TokenKind.End ? "unexpected end of query" : $"unexpected {Describe(field)}", _text, field.Column, "an int field name");
        }
        CheckField(field);
        Advance();
        var left = _pool.Compare(field.Name!, Mirror(first.Kind), low);
        if (!IsComparison(_current.Kind))
        {
            return left;
        }
        var second = _current;
        var ascending = first.Kind is TokenKind.Less or TokenKind.LessOrEqual;
        if (second.Kind is TokenKind.Equal or TokenKind.NotEqual
            || ascending != (second.Kind is TokenKind.Less or TokenKind.LessOrEqual))
        {
            throw new QuerySyntaxException($"a range over '{field.Name}' needs both bounds in one direction", _text, second.Column,
                ascending ? "'<' or '<='" : "'>' or '>='");
        }
        Advance();
        var high = ParseInteger("an integer");
        return _pool.And(left, _pool.Compare(field.Name!, Operator(second.Kind), high));
    }

    private long ParseInteger(string expected)
    {
        var column = _current.Column;
        var negative = false;
        if (_current.Kind == TokenKind.AndNot)
        {
            negative = true;
            Advance();
        }
        var token = _current;
        if (token.Kind != TokenKind.Name || !IsInteger(token.Name!))
        {
            throw new QuerySyntaxException(
                token.Kind == TokenKind.End ? "unexpected end of query" : $"unexpected {Describe(token)}", _text, token.Column, expected);
        }
        Advance();
        return ToInteger(token.Name!, negative, column);
    }

    private long ToInteger(string digits, bool negative, int column)
    {
        var text = negative ? "-" + digits : digits;
        if (!long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new QuerySyntaxException($"{text} is outside the 64-bit integers", _text, column, "an integer from -2^63 to 2^63-1");
        }
        return value;
    }

    private void CheckField(Token field)
    {
        if (_rowPrefix is not null)
        {
            throw new QuerySyntaxException($"a comparison of '{field.Name}' inside the rows of '{_rowPrefix[..^1]}'", _text, field.Column, "a row name");
        }
        foreach (var known in _fields)
        {
            if (string.Equals(known.Name, field.Name, StringComparison.Ordinal))
            {
                return;
            }
        }
        if (_fields.Count + _names.Count >= _limits.MaxNames)
        {
            throw new QuerySyntaxException($"more than {_limits.MaxNames} distinct names", _text, field.Column, null);
        }
        _fields.Add(new FieldReference(field.Name!, field.Column));
    }

    private static ComparisonOperator Operator(TokenKind kind) => kind switch
    {
        TokenKind.Less => ComparisonOperator.Less,
        TokenKind.LessOrEqual => ComparisonOperator.LessOrEqual,
        TokenKind.Greater => ComparisonOperator.Greater,
        TokenKind.GreaterOrEqual => ComparisonOperator.GreaterOrEqual,
        TokenKind.Equal => ComparisonOperator.Equal,
        _ => ComparisonOperator.NotEqual,
    };

    // "10 <= age" is "age >= 10".
    private static ComparisonOperator Mirror(TokenKind kind) => kind switch
    {
        TokenKind.Less => ComparisonOperator.Greater,
        TokenKind.LessOrEqual => ComparisonOperator.GreaterOrEqual,
        TokenKind.Greater => ComparisonOperator.Less,
        _ => ComparisonOperator.LessOrEqual,
    };

    // os:(ios | android): the names inside are rows of the field, os:ios | os:android.
    private Expr ParseFieldGroup(Token group)
    {
        if (_rowPrefix is not null)
        {
            throw new QuerySyntaxException($"rows of '{group.Name}' inside the rows of '{_rowPrefix[..^1]}'", _text, group.Column, "a row name");
        }
        Advance();
        _rowPrefix = group.Name + ":";
        try
        {
            return ParsePrimary();
        }
        finally
        {
            _rowPrefix = null;
        }
    }

    private Expr Name(Token token)
    {
        var name = _rowPrefix is null ? token.Name! : _rowPrefix + token.Name!;
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
        TokenKind.Less => "'<'",
        TokenKind.LessOrEqual => "'<='",
        TokenKind.Greater => "'>'",
        TokenKind.GreaterOrEqual => "'>='",
        TokenKind.Equal => "'='",
        TokenKind.NotEqual => "'!='",
        TokenKind.Comma => "','",
        TokenKind.FieldGroup => $"rows of '{token.Name}'",
        _ => "end of query",
    };
}
