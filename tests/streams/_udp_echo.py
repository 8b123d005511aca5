# The asyncio docs' "UDP Echo Server" and "UDP Echo Client" protocols, the
# Python twin of tests/streams/datagram_test.ts. Modes:
#   both          the server on a free port and the client against it
#   server [N]    the server on a free port (printed first); it exits after
#                 echoing N datagrams (default 1)
#   client PORT   the client against a server on 127.0.0.1:PORT
# The docs' classes derive from nothing; these derive from DatagramProtocol,
# so that closing the server finds a connection_lost.
import asyncio
import sys


class EchoServerProtocol(asyncio.DatagramProtocol):
    def __init__(self, on_done=None, count=1):
        self.on_done = on_done
        self.count = count

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        message = data.decode()
        print('Received %r from %s' % (message, addr))
        print('Send %r to %s' % (message, addr))
        self.transport.sendto(data, addr)
        self.count -= 1
        if self.on_done is not None and self.count == 0:
            self.on_done.set_result(True)


class EchoClientProtocol(asyncio.DatagramProtocol):
    def __init__(self, message, on_con_lost):
        self.message = message
        self.on_con_lost = on_con_lost
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        print('Send:', self.message)
        self.transport.sendto(self.message.encode())

    def datagram_received(self, data, addr):
        print("Received:", data.decode())
        print("Close the socket")
        self.transport.close()

    def error_received(self, exc):
        print('Error received:', exc)

    def connection_lost(self, exc):
        print("Connection closed")
        self.on_con_lost.set_result(True)


async def client(port):
    loop = asyncio.get_running_loop()
    on_con_lost = loop.create_future()
    message = "Hello World!"
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: EchoClientProtocol(message, on_con_lost),
        remote_addr=('127.0.0.1', port))
    try:
        await on_con_lost
    finally:
        transport.close()


async def both():
    print("Starting UDP server")
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        EchoServerProtocol,
        local_addr=('127.0.0.1', 0))
    try:
        await client(transport.get_extra_info('sockname')[1])
    finally:
        transport.close()


async def server(count):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: EchoServerProtocol(done, count),
        local_addr=('127.0.0.1', 0))
    print(transport.get_extra_info('sockname')[1], flush=True)
    try:
        await asyncio.wait_for(done, 10)
        await asyncio.sleep(0)  # the last echo goes out
    finally:
        transport.close()


mode = sys.argv[1] if len(sys.argv) > 1 else "both"
if mode == "server":
    asyncio.run(server(int(sys.argv[2]) if len(sys.argv) > 2 else 1))
elif mode == "client":
    asyncio.run(client(int(sys.argv[2])))
else:
    asyncio.run(both())
