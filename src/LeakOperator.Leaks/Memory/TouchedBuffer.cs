namespace LeakOperator.Leaks.Memory;

/// <summary>Allocates memory that really counts: every page is written, so it shows in the working set too.</summary>
internal static class TouchedBuffer
{
    public const int BytesPerUnit = 1024 * 1024;
    private const int PageSize = 4096;

    public static byte[] AllocateOneUnit()
    {
        var buffer = GC.AllocateUninitializedArray<byte>(BytesPerUnit);
        for (int offset = 0; offset < buffer.Length; offset += PageSize)
        {
            buffer[offset] = 1;
        }

        return buffer;
    }
}
