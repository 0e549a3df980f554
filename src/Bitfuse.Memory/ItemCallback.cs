namespace Bitfuse.Memory;

/// <summary>A callback on one zone item: <c>init</c>/<c>fini</c> (once per memory life) or constructor/destructor (per use).</summary>
/// <param name="item">The item's address; valid for <see cref="Zone.ItemSize"/> bytes.</param>
public unsafe delegate void ItemCallback(void* item);
