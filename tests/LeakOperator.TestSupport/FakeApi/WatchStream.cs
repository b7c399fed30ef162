using System.Text;
using System.Threading.Channels;

namespace LeakOperator.TestSupport.FakeApi;

/// <summary>
/// The body of one watch response: newline-delimited JSON events, handed to the reader as the server sends them and
/// ending when the server ends the watch. Only the client reads it, asynchronously, as it reads a real watch.
/// </summary>
internal sealed class WatchStream(Action<WatchStream> closed) : Stream
{
    private readonly Channel<byte[]> _lines = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private ReadOnlyMemory<byte> _rest;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Sends one event line; a watch already ended drops it, as a closed connection would.</summary>
    public void Send(string line) => _lines.Writer.TryWrite(Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>Ends the watch: the reader sees the end of the body once it has read what was sent.</summary>
    public void End() => _lines.Writer.TryComplete();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_rest.IsEmpty)
        {
            if (!await _lines.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            if (_lines.Reader.TryRead(out var line))
            {
                _rest = line;
            }
        }

        int count = Math.Min(buffer.Length, _rest.Length);
        _rest[..count].CopyTo(buffer);
        _rest = _rest[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("a watch is read asynchronously");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The client let go of the response (its watch ended or was cancelled): the server stops sending to it.
            End();
            closed(this);
        }

        base.Dispose(disposing);
    }
}
