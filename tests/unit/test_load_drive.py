"""The load benchmark's client loop (``benchmarks.load.drive``) against a slow local HTTP server."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.load import drive

DELAY = 0.2  # seconds per request


class _Slow(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(DELAY)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture()
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Slow)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_window_shorter_than_the_warm_up_still_counts_every_clients_view(slow_server):
    """The warm-up (each view once, 5 × 0.2 s) outlasts the 0.3 s window: the window starts after it, and each
    client finishes the view it began, so the run has views to report (CI once printed 0.0 views/s here)."""
    views = [[("GET", f"/{n}", None)] for n in range(5)]
    result = drive(slow_server, views, clients=3, seconds=0.3)
    assert result.views >= 3 and result.errors == 0
    assert len(result.latencies) == result.views and min(result.latencies) >= DELAY
    assert result.rate > 0 and result.seconds >= DELAY
