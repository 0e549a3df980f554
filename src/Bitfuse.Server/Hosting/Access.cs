namespace Bitfuse.Server.Hosting;

/// <summary>What an endpoint needs from its caller.</summary>
internal enum Access
{
    /// <summary>Nothing: health and the console page.</summary>
    Open,

    /// <summary>The token when reads need one.</summary>
    Read,

    /// <summary>The token, always.</summary>
    Write,
}

/// <summary>Endpoint metadata: the access an endpoint needs (endpoints without it are open).</summary>
internal sealed record AccessMetadata(Access Access);
