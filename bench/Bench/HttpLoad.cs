using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Webhooks.Bench;

/// <summary>
/// The bench's HTTP load tool: JSON POSTs on <c>N</c> kept-alive HTTP/1.1 connections, one request at a
/// time on each, bodies sent with a <c>Content-Length</c>, the answer read to its end. On two cores the load
/// generator shares the machine with what it measures: <see cref="HttpClient"/> spends about 0.19 ms of CPU
/// on each such POST (as much as Ingest spends accepting it), this about a tenth of that, as load tools such
/// as wrk or autocannon do. Setup calls keep using <see cref="HttpClient"/>.
/// </summary>
public sealed class HttpLoad : IDisposable
{
    private readonly ConcurrentBag<Connection> _idle = [];
    private readonly SemaphoreSlim _free;
    private readonly string _head;

    private HttpLoad(Uri baseAddress, string? authorization, int connections)
    {
        _free = new SemaphoreSlim(connections, connections);
        BaseAddress = baseAddress;
        _head = $"Host: {baseAddress.Authority}\r\n" + (authorization is null ? "" : $"Authorization: {authorization}\r\n")
            + "Content-Type: application/json\r\n";
    }

    public Uri BaseAddress { get; }

    /// <summary>A load on <paramref name="client"/>'s address with its <c>Authorization</c> header, on at most <paramref name="connections"/> connections (opened as needed).</summary>
    public static HttpLoad For(HttpClient client, int connections) =>
        new(client.BaseAddress!, client.DefaultRequestHeaders.Authorization?.ToString(), connections);

    /// <summary>POSTs <paramref name="json"/> to <paramref name="path"/>; the answer's status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string json, CancellationToken cancellationToken = default)
    {
        // One write: the head and the body in one segment.
        var request = Encoding.UTF8.GetBytes($"POST {path} HTTP/1.1\r\n{_head}Content-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");
        await _free.WaitAsync(cancellationToken);
        Connection? connection = null;
        try
        {
            if (!_idle.TryTake(out connection))
            {
                connection = await Connection.OpenAsync(BaseAddress, cancellationToken);
            }
            var (status, body, open) = await connection.ExchangeAsync(request, cancellationToken);
            if (open)
            {
                _idle.Add(connection);
                connection = null;
            }
            return (status, body);
        }
        finally
        {
            // A connection that failed half-way, or that the server closes after its answer, is closed, never reused.
            connection?.Dispose();
            _free.Release();
        }
    }

    /// <summary>As <see cref="PostAsync"/>, throwing unless the answer is a 2xx.</summary>
    public async Task<string> PostSuccessfullyAsync(string path, string json, CancellationToken cancellationToken = default)
    {
        var (status, body) = await PostAsync(path, json, cancellationToken);
        return (int)status is >= 200 and < 300 ? body
            : throw new HttpRequestException($"POST {path} answered {(int)status}: {body}", null, status);
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
        _free.Dispose();
    }

    private sealed class Connection(Socket socket) : IDisposable
    {
        private readonly NetworkStream _stream = new(socket, ownsSocket: true);
        private readonly byte[] _buffer = new byte[16 * 1024];
        private int _start;
        private int _end;

        public static async Task<Connection> OpenAsync(Uri address, CancellationToken cancellationToken)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
                return new Connection(socket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        /// <summary>Sends <paramref name="request"/>; the answer, and whether the server keeps the connection open.</summary>
        public async Task<(HttpStatusCode Status, string Body, bool Open)> ExchangeAsync(byte[] request, CancellationToken cancellationToken)
        {
            await _stream.WriteAsync(request, cancellationToken);
            var status = await ReadLineAsync(cancellationToken);
            // "HTTP/1.1 202 Accepted"
            var code = status.Length >= 12 && status.StartsWith("HTTP/1.", StringComparison.Ordinal) ? int.Parse(status.AsSpan(9, 3), CultureInfo.InvariantCulture)
                : throw new IOException($"Not an HTTP answer: '{status}'.");
            long? length = null;
            var (chunked, close) = (false, false);
            for (var line = await ReadLineAsync(cancellationToken); line.Length > 0; line = await ReadLineAsync(cancellationToken))
            {
                var colon = line.IndexOf(':');
                var (name, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].Trim());
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    length = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
                }
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
                }
            }
            var content = new MemoryStream();
            if (chunked)
            {
                for (var size = await ChunkSizeAsync(cancellationToken); size > 0; size = await ChunkSizeAsync(cancellationToken))
                {
                    await CopyAsync(content, size, cancellationToken);
                    await ReadLineAsync(cancellationToken);
                }
                // Trailers, if any, up to the empty line.
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                }
            }
            else if (length is { } known)
            {
                await CopyAsync(content, known, cancellationToken);
            }
            else if (code is not (204 or 304) and >= 200)
            {
                throw new IOException("An answer with neither a length nor chunks: this load tool keeps connections open.");
            }
            return ((HttpStatusCode)code, Encoding.UTF8.GetString(content.GetBuffer(), 0, (int)content.Length), !close);
        }

        public void Dispose() => _stream.Dispose();

        private async Task<long> ChunkSizeAsync(CancellationToken cancellationToken)
        {
            var line = await ReadLineAsync(cancellationToken);
            var end = line.IndexOf(';');
            return long.Parse(end < 0 ? line : line[..end], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var at = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (at >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, at - _start).TrimEnd('\r');
                    _start = at + 1;
                    return line;
                }
                await FillAsync(cancellationToken);
            }
        }

        private async Task CopyAsync(Stream to, long count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }
                var take = (int)Math.Min(count, _end - _start);
                to.Write(_buffer, _start, take);
                (_start, count) = (_start + take, count - take);
            }
        }

        /// <summary>Reads more of the answer into the buffer (what is unread moved to its start).</summary>
        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                (_end, _start) = (_end - _start, 0);
            }
            if (_end == _buffer.Length)
            {
                throw new IOException("An answer's line is longer than this load tool reads.");
            }
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += read > 0 ? read : throw new IOException("The server closed the connection.");
        }
    }
}
