"""A small, fast static feed server for benchmarks: whole responses prepared up front.

Answers GET with 200 (ETag, Last-Modified) or 304 when If-None-Match matches, so
that the time measured is the client's, not a slow test server's.
Usage: python bench/static_server.py PORT DIRECTORY
"""

import asyncio
import hashlib
import sys
from email.utils import formatdate
from pathlib import Path

LAST_MODIFIED = formatdate(usegmt=True)
NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def prepare(directory: Path) -> dict[str, tuple[str, bytes]]:
    files = {}
    for path in directory.iterdir():
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n"
            f"ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\nConnection: close\r\n\r\n"
        )
        files["/" + path.name] = (etag, head.encode() + body)
    return files


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, files: dict) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:] if line)}
    etag, response = files.get(
        path, (None, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    )
    if etag and headers.get("if-none-match") == etag:
        response = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n".encode()
    writer.write(response)
    await writer.drain()
    writer.close()


async def main(port: int, directory: Path) -> None:
    files = prepare(directory)
    server = await asyncio.start_server(lambda r, w: handle(r, w, files), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), Path(sys.argv[2])))
