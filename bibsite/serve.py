"""A local preview: build, serve site/ on 127.0.0.1, rebuild when seeds/, content/ or templates/ change.

    python -m bibsite.serve [--port 8000]        (or: make serve)

Each build runs build.py in a subprocess, so a build that fails prints its one-line error and the
previous site/ stays served (the build only swaps site/ in when it succeeded).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WATCHED = ("seeds", "content", "templates")
HOST = "127.0.0.1"  # a preview is for this machine only


def snapshot(root: Path) -> dict:
    """Return {relative path: (mtime_ns, size)} of the files under the watched folders."""
    state = {}
    for folder in WATCHED:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
            for name in filenames:
                # Editors' and our own atomic-write temp files come and go; only real files count.
                if name.startswith(".") or name.endswith((".tmp", "~", ".swp")):
                    continue
                path = Path(dirpath) / name
                try:
                    stat = path.stat()
                except OSError:
                    continue
                state[path.relative_to(root).as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return state


def run_build(root: Path) -> subprocess.CompletedProcess:
    """Return the finished build of the project at root (build.main in a fresh Python)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, str(root / "build.py")], cwd=root, env=env,
                          capture_output=True, text=True)


class _Handler(SimpleHTTPRequestHandler):
    """Serves site/ without logging every request, and never from a cache."""

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class Preview:
    """The preview server and its watcher; start() returns at once, stop() ends both."""

    def __init__(self, root: Path, port: int = 8000, interval: float = 1.0, out=None):
        self.root = Path(root).resolve()
        self.interval = interval
        self.out = out or sys.stdout
        self.builds = 0
        self.last: subprocess.CompletedProcess | None = None
        self._stop = threading.Event()
        # The handler serves the path site/, so a rebuild's swap is picked up by the next request.
        handler = partial(_Handler, directory=str(self.root / "site"))
        self.server = ThreadingHTTPServer((HOST, port), handler)
        self.server.daemon_threads = True
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def build(self) -> bool:
        """Run one build, print its outcome; return True when it succeeded."""
        started = time.perf_counter()
        result = run_build(self.root)
        self.builds += 1
        self.last = result
        lines = (result.stdout + result.stderr).strip().splitlines()
        if result.returncode == 0:
            summary = lines[-1] if lines else "built"
            self._say(f"{summary}")
        else:
            errors = [line for line in lines if line.startswith(("error:", "warning:"))] or lines[-1:]
            for line in errors:
                self._say(line)
            self._say(f"build failed after {time.perf_counter() - started:.1f} s; still serving the previous site")
        return result.returncode == 0

    def watch(self) -> None:
        """Poll the inputs until stop(); rebuild after each change."""
        seen = snapshot(self.root)
        while not self._stop.wait(self.interval):
            now = snapshot(self.root)
            if now != seen:
                changed = sorted(set(now.items()) ^ set(seen.items()))
                self._say(f"changed: {changed[0][0]}" + (f" and {len(changed) - 1} more" if len(changed) > 1 else ""))
                # Snapshot before building: an edit made during the build triggers the next one,
                # but the records the build itself imported into content/ do not.
                seen = now
                if self.build():
                    after = snapshot(self.root)
                    added = set(after) - set(seen)
                    if all(seen.get(p) == after.get(p) for p in set(seen) | set(after) if p not in added) \
                            and all(p.startswith("content/") for p in added):
                        seen = after

    def start(self, build_first: bool = True) -> "Preview":
        """Build once (unless told not to), then serve and watch in background threads."""
        if build_first:
            self.build()
        for target in (self.server.serve_forever, self.watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._say(f"serving {self.root / 'site'} at {self.url} (Ctrl-C stops)")
        return self

    def stop(self) -> None:
        """Stop watching and serving, and release the port."""
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=30)

    def _say(self, message: str) -> None:
        print(f"serve: {message}", file=self.out, flush=True)


def serve(project_root, port: int = 8000, interval: float = 1.0) -> int:
    """Build, serve site/ on http://127.0.0.1:port/ and rebuild on changes until Ctrl-C; return 0."""
    preview = Preview(Path(project_root), port=port, interval=interval).start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project folder (default: current folder)")
    args = parser.parse_args(argv)
    try:
        return serve(args.root, port=args.port)
    except OSError as error:
        print(f"error: 127.0.0.1:{args.port}: cannot serve there ({error.strerror}) — try another --port",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
