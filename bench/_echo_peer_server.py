"""A Python echo server of bench/echo_peers.ts, one per process.

    python3 bench/_echo_peer_server.py streams|protocol uvloop|asyncio [plain]

It serves on 127.0.0.1 at a free port, prints that port on a line of its own,
answers each line "mem" on stdin with a JSON line {"rss": bytes}, each line
"stats" with {"reads", "bytes", "user_us", "sys_us"} (the reads so far:
reader.read returns or data_received calls; the process's CPU time) and exits
when stdin closes. Like the Deno servers it
upper-cases what it echoes: streams read(65536) / write(data.upper()) / await
drain(); protocol transport.write(data.upper()) in data_received; "plain"
echoes unchanged.
"""
import asyncio
import json
import resource
import socket
import sys

UPPER = True
STATS = {"reads": 0, "bytes": 0}


async def handle(reader, writer):
    """Serve one client with streams: echo upper-cased until EOF."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            STATS["reads"] += 1
            STATS["bytes"] += len(data)
            writer.write(data.upper() if UPPER else data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


class Echo(asyncio.Protocol):
    """The protocol server: write each chunk back as it arrives."""

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        STATS["reads"] += 1
        STATS["bytes"] += len(data)
        self.transport.write(data.upper() if UPPER else data)


def rss():
    """This process's resident set size, in bytes (-1 if unknown)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return -1


async def main(kind):
    """Serve, print the port, answer the driver's lines until stdin closes."""
    loop = asyncio.get_running_loop()
    if kind == "streams":
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
    else:
        server = await loop.create_server(Echo, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    while True:
        line = await reader.readline()
        if not line:
            break
        if line.strip() == b"mem":
            print(json.dumps({"rss": rss()}), flush=True)
        elif line.strip() == b"stats":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            cpu = {
                "user_us": usage.ru_utime * 1e6,
                "sys_us": usage.ru_stime * 1e6,
            }
            print(json.dumps({**STATS, **cpu}), flush=True)


if __name__ == "__main__":
    kind, flavour = sys.argv[1], sys.argv[2]
    UPPER = sys.argv[3:] != ["plain"]
    if flavour == "uvloop":
        import uvloop

        uvloop.install()
    asyncio.run(main(kind))
