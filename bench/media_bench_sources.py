"""The media bench's sources and plumbing: the 10-minute 1080p file, a short camera-like clip
for the animated formats, and the counting proxy every source read passes."""

from __future__ import annotations

import http.client
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import imageio_ffmpeg

from infra.local.processes import free_port
from shared.domain.preview_ports import UrlSigner

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()


def _encode(source: str, path: Path, preset: str, graph: str | None = None) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.mp4")
    print(f"making {path} once ...", flush=True)
    filters = ["-vf", graph] if graph else []
    subprocess.run(
        [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source,
         *filters, "-c:v", "libx264", "-preset", preset, "-b:v", "6M", "-maxrate", "6M",
         "-bufsize", "12M", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
         "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(partial)],
        check=True,
    )  # fmt: skip
    partial.rename(path)
    return path


def make_source(folder: Path, minutes: int, preset: str) -> Path:
    """testsrc2 at 1080p30, 6 Mb/s, keyframes every 2 s, index at the front."""
    path = folder / f"bench-{minutes}min-1080p-{preset}.mp4"
    return _encode(f"testsrc2=s=1920x1080:r=30:d={minutes * 60}", path, preset)


def make_natural_clip(folder: Path, preset: str, seconds: int = 10) -> Path:
    """Camera-like footage for the animated formats: smooth gradients and fine detail
    (a slow mandelbrot zoom) under temporal grain, as a sensor adds. testsrc2's flat colours
    are the best case of a GIF's palette and LZW, and no camera makes them."""
    path = folder / f"bench-natural-{seconds}s-1080p-{preset}.mp4"
    source = f"mandelbrot=s=1920x1080:r=30,trim=duration={seconds}"
    return _encode(source, path, preset, "noise=alls=12:allf=t,format=yuv420p")


class CountingProxy:
    """Forwards GETs (with their Range header) to the emulator and counts what it delivers."""

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream).netloc
        self.bytes = 0
        self.requests = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # close after each answer, as the emulator does

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                connection = http.client.HTTPConnection(proxy.upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() == "range"}
                connection.request("GET", self.path, headers=headers)
                reply = connection.getresponse()
                with proxy._lock:
                    proxy.requests += 1
                self.send_response(reply.status)
                for name in ("Content-Type", "Content-Length", "Content-Range", "Accept-Ranges"):
                    if reply.getheader(name):
                        self.send_header(name, str(reply.getheader(name)))
                self.end_headers()
                try:
                    while chunk := reply.read(65536):
                        self.wfile.write(chunk)
                        with proxy._lock:
                            proxy.bytes += len(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the reader had what it needed
                finally:
                    connection.close()

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.bytes = self.requests = 0


class ProxiedSigner(UrlSigner):
    """The local signer, with the emulator's address swapped for the counting proxy (the
    emulator checks no signature, so the swap changes nothing else)."""

    def __init__(self, inner: UrlSigner, emulator: str, proxy: str) -> None:
        self.inner, self.emulator, self.proxy = inner, emulator.rstrip("/"), proxy

    def sign_get(
        self, bucket: str, object_name: str, expires_in: int, generation: str | None = None
    ) -> str:
        url = self.inner.sign_get(bucket, object_name, expires_in, generation)
        return url.replace(self.emulator, self.proxy, 1)
