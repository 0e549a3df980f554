using Microsoft.AspNetCore.Http;

namespace Bitfuse.Server.Hosting;

/// <summary>
/// Middleware after routing: an endpoint marked <see cref="Access.Write"/>, or <see cref="Access.Read"/> when reads
/// need the token, answers 401 (problem+json, with <c>WWW-Authenticate: Bearer</c>) unless the request carries it.
/// The answer is written here rather than thrown, because the exception handler clears the response headers.
/// </summary>
internal sealed class BearerTokenCheck(RequestDelegate next, AccessTokens tokens, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var access = context.GetEndpoint()?.Metadata.GetMetadata<AccessMetadata>()?.Access ?? Access.Open;
        var needsToken = access == Access.Write || access == Access.Read && tokens.ReadsNeedToken;
        if (!needsToken)
        {
            await next(context);
            return;
        }
        var header = context.Request.Headers.Authorization.ToString();
        if (tokens.Accepts(header))
        {
            await next(context);
            return;
        }
        var given = header.Length > 0;
        var refusal = new RequestRejectedException(StatusCodes.Status401Unauthorized, ProblemTypes.Unauthorized, "A bearer token is needed",
            given
                ? "the bearer token does not match"
                : access == Access.Write ? "writes need the bearer token (Authorization: Bearer TOKEN)" : "reads need the bearer token on this server (Authorization: Bearer TOKEN)");
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = given ? "Bearer realm=\"bitfuse\", error=\"invalid_token\"" : "Bearer realm=\"bitfuse\"";
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = ProblemMapping.Describe(refusal) });
    }
}
