using System.Text;

namespace Bitfuse.Query.Syntax;

/// <summary>
/// Splits query text into tokens. A bare name is jitmap's <c>[A-Za-z0-9_]+</c>; a name that starts with a
/// letter or <c>_</c> may also hold <c>.</c>, <c>:</c> and <c>-</c> when another name character follows, so
/// <c>country:us</c> and <c>ios-17</c> are names while <c>a - b</c> and <c>a -b</c> are and-not. Any other
/// text can be named in double quotes, with <c>\"</c> and <c>\\</c> as escapes.
/// </summary>
internal struct Lexer
{
    private readonly string _text;
    private int _position;

    public Lexer(string text)
    {
        _text = text;
        _position = 0;
    }

    /// <summary>Reads the next token, or throws <see cref="QuerySyntaxException"/> at a character that starts none.</summary>
    public Token Next()
    {
        var text = _text;
        while (_position < text.Length && char.IsWhiteSpace(text[_position]))
        {
            _position++;
        }
        if (_position >= text.Length)
        {
            return new Token(TokenKind.End, text.Length);
        }
        var start = _position;
        var c = text[_position];
        switch (c)
        {
            case '!':
                if (start + 1 < text.Length && text[start + 1] == '=')
                {
                    _position += 2;
                    return new Token(TokenKind.NotEqual, start);
                }
                _position++;
                return new Token(TokenKind.Not, start);
            case '~':
                _position++;
                return new Token(TokenKind.Not, start);
            case '<':
                return Comparison(start, TokenKind.Less, TokenKind.LessOrEqual);
            case '>':
                return Comparison(start, TokenKind.Greater, TokenKind.GreaterOrEqual);
            case '=':
                return Comparison(start, TokenKind.Equal, TokenKind.Equal);
            case ',':
                _position++;
                return new Token(TokenKind.Comma, start);
            case '&':
                _position++;
                return new Token(TokenKind.And, start);
            case '-':
                _position++;
                return new Token(TokenKind.AndNot, start);
            case '|':
                _position++;
                return new Token(TokenKind.Or, start);
            case '^':
                _position++;
                return new Token(TokenKind.Xor, start);
            case '(':
                _position++;
                return new Token(TokenKind.Open, start);
            case ')':
                _position++;
                return new Token(TokenKind.Close, start);
            case '$':
                return Constant(start);
            case '"':
                return Quoted(start);
            default:
                if (IsWordCharacter(c))
                {
                    return Bare(start);
                }
                throw new QuerySyntaxException($"unexpected character '{Printable(c)}'", text, start, ExpectedOperand);
        }
    }

    /// <summary>What may start an operand, for error messages.</summary>
    public const string ExpectedOperand = "a name, '(', '!', '$0' or '$1'";

    /// <summary>True when <paramref name="name"/> prints without quotes and lexes back as one name.</summary>
    public static bool IsBareName(string name)
    {
        if (name.Length == 0 || !IsWordCharacter(name[0]))
        {
            return false;
        }
        var extended = char.IsAsciiLetter(name[0]) || name[0] == '_';
        for (var i = 1; i < name.Length; i++)
        {
            var c = name[i];
            if (IsWordCharacter(c))
            {
                continue;
            }
            if (!extended || !IsJoiner(c) || i + 1 >= name.Length || !IsWordCharacter(name[i + 1]))
            {
                return false;
            }
        }
        return true;
    }

    // '<' or '<=' (likewise '>', '>='; '=' and '==' are one operator).
    private Token Comparison(int start, TokenKind alone, TokenKind withEquals)
    {
        if (start + 1 < _text.Length && _text[start + 1] == '=')
        {
            _position = start + 2;
            return new Token(withEquals, start);
        }
        _position = start + 1;
        return new Token(alone, start);
    }

    private Token Constant(int start)
    {
        var text = _text;
        if (start + 1 < text.Length && (text[start + 1] == '0' || text[start + 1] == '1')
            && (start + 2 >= text.Length || !IsWordCharacter(text[start + 2])))
        {
            _position = start + 2;
            return new Token(text[start + 1] == '0' ? TokenKind.Empty : TokenKind.Universe, start);
        }
        throw new QuerySyntaxException("'$' must be followed by 0 or 1", text, start, "'$0' or '$1'");
    }

    private Token Bare(int start)
    {
        var text = _text;
        var extended = char.IsAsciiLetter(text[start]) || text[start] == '_';
        var i = start + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsWordCharacter(c))
            {
                i++;
            }
            else if (extended && IsJoiner(c) && i + 1 < text.Length && IsWordCharacter(text[i + 1]))
            {
                i += 2;
            }
            else
            {
                break;
            }
        }
        if (extended && i + 1 < text.Length && text[i] == ':' && text[i + 1] == '(')
        {
            // os:(ios | android): the ':' is consumed, the '(' is the next token.
            _position = i + 1;
            return new Token(TokenKind.FieldGroup, start, text[start..i]);
        }
        if (extended && i + 1 < text.Length && text[i] == ':' && text[i + 1] == '"')
        {
            // city:"new york": one name, the field's prefix and the quoted row.
            var row = Quoted(i + 1);
            return new Token(TokenKind.Name, start, text[start..(i + 1)] + row.Name);
        }
        _position = i;
        return new Token(TokenKind.Name, start, text[start..i]);
    }

    private Token Quoted(int start)
    {
        var text = _text;
        var name = new StringBuilder();
        var i = start + 1;
        while (true)
        {
            if (i >= text.Length)
            {
                throw new QuerySyntaxException("unterminated quoted name", text, start, "a closing '\"'");
            }
            var c = text[i];
            if (c == '"')
            {
                break;
            }
            if (c == '\\')
            {
                if (i + 1 >= text.Length || (text[i + 1] != '"' && text[i + 1] != '\\'))
                {
                    throw new QuerySyntaxException("bad escape in quoted name", text, i, "'\\\"' or '\\\\'");
                }
                name.Append(text[i + 1]);
                i += 2;
                continue;
            }
            name.Append(c);
            i++;
        }
        if (name.Length == 0)
        {
            throw new QuerySyntaxException("empty quoted name", text, start, "a name");
        }
        _position = i + 1;
        return new Token(TokenKind.Name, start, name.ToString());
    }

    private static bool IsWordCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static bool IsJoiner(char c) => c is '.' or ':' or '-';

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString();
}
