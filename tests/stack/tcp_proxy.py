"""A TCP proxy in a thread of its own, to take a server away from one client (a relay) without
touching the server the rest of the suite shares: ``gone`` refuses and resets every
connection (the server's process died), ``frozen`` keeps them open and forwards nothing (the
server hangs; the harder case, as nothing tells the client)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Literal

Mode = Literal["up", "gone", "frozen"]


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.mode: Mode = "up"
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)

    def start(self) -> TcpProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", self.port)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while chunk := await reader.read(65536):
                while self.mode == "frozen":
                    await asyncio.sleep(0.1)  # hold the bytes: the other side hears nothing
                if self.mode == "gone":
                    break
                writer.write(chunk)
                await writer.drain()
        writer.close()

    def set_mode(self, mode: Mode) -> None:
        self._loop.call_soon_threadsafe(self._apply, mode)

    def _apply(self, mode: Mode) -> None:
        self.mode = mode
        if mode == "gone" and self._server is not None:
            self._server.close()  # new connections are refused
            for writer in self._writers:
                transport = writer.transport
                if isinstance(transport, asyncio.WriteTransport):
                    transport.abort()  # existing ones are reset
            self._writers.clear()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._apply, "gone")
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
