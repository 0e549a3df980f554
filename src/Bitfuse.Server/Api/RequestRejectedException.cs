namespace Bitfuse.Server;

/// <summary>
/// A request the server refuses as it came (a missing field, a value out of range, a missing token, a body too
/// large): answered with <see cref="StatusCode"/> and a problem+json body of type <see cref="ProblemType"/>.
/// </summary>
public sealed class RequestRejectedException : Exception
{
    /// <summary>A refusal with <paramref name="statusCode"/>.</summary>
    public RequestRejectedException(int statusCode, string problemType, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
        : base(detail)
    {
        StatusCode = statusCode;
        ProblemType = problemType;
        Title = title;
        Extensions = extensions ?? new Dictionary<string, object?>();
    }

    /// <summary>A 400 refusal with a plain message.</summary>
    public RequestRejectedException()
        : this("the request is invalid")
    {
    }

    /// <summary>A 400 refusal.</summary>
    public RequestRejectedException(string message)
        : this(400, ProblemTypes.InvalidRequest, "The request is invalid", message)
    {
    }

    /// <summary>A 400 refusal caused by <paramref name="innerException"/>.</summary>
    public RequestRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
        ProblemType = ProblemTypes.InvalidRequest;
        Title = "The request is invalid";
        Extensions = new Dictionary<string, object?>();
    }

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }

    /// <summary>The problem type URI.</summary>
    public string ProblemType { get; }

    /// <summary>The problem title (the same for every instance of the type).</summary>
    public string Title { get; }

    /// <summary>Extra members of the problem object.</summary>
    public IReadOnlyDictionary<string, object?> Extensions { get; }

    /// <summary>A 400 refusal of type <see cref="ProblemTypes.InvalidRequest"/>.</summary>
    public static RequestRejectedException Invalid(string detail) => new(detail);
}
