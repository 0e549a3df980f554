using System.Security.Cryptography;
using System.Text;

namespace Bitfuse.Server.Hosting;

/// <summary>
/// The bearer token and who needs it. With a token file, reads and writes need its token; without one, reads are
/// open and writes need a token made at start (32 random bytes, base64url) and written, readable by the owner
/// only, beside the database. Tokens are compared by their SHA-256 in constant time.
/// </summary>
internal sealed class AccessTokens
{
    /// <summary>The shortest token a token file may hold.</summary>
    public const int MinTokenLength = 16;

    /// <summary>The file a generated token is written to, in the database folder.</summary>
    public const string GeneratedTokenFileName = "server.token";

    private readonly byte[] _tokenHash;

    private AccessTokens(string token, bool readsNeedToken, string tokenPath)
    {
        _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        ReadsNeedToken = readsNeedToken;
        TokenPath = tokenPath;
    }

    /// <summary>True when reads need the token too (a token file was given).</summary>
    public bool ReadsNeedToken { get; }

    /// <summary>The file that holds the token.</summary>
    public string TokenPath { get; }

    /// <summary>The token from <paramref name="tokenFile"/>, or a new one written into <paramref name="databaseFolder"/>.</summary>
    /// <exception cref="ArgumentException">The token file is empty, too short or holds more than one line.</exception>
    public static AccessTokens Load(string? tokenFile, string databaseFolder)
    {
        if (tokenFile is not null)
        {
            var path = Path.GetFullPath(tokenFile);
            var token = File.ReadAllText(path).Trim();
            if (token.Length < MinTokenLength || token.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException($"the token file '{path}' must hold one token of at least {MinTokenLength} characters without spaces");
            }
            return new AccessTokens(token, readsNeedToken: true, path);
        }
        var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var target = Path.Combine(databaseFolder, GeneratedTokenFileName);
        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }
        using (var stream = new FileStream(target, options))
        {
            // A file left by an earlier run keeps its mode; make sure only the owner can read it.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, OwnerOnly);
            }
            stream.Write(Encoding.UTF8.GetBytes(generated + "\n"));
        }
        return new AccessTokens(generated, readsNeedToken: false, target);
    }

    /// <summary>True when <paramref name="authorization"/> is <c>Bearer</c> and the token.</summary>
    public bool Accepts(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, _tokenHash);
    }
}
