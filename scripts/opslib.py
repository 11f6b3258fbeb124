"""Pieces shared by the operational tests and `make cluster` / `make soak`: a TCP proxy
that can be cut (a database that goes away for real), app servers (gunicorn), a
throw-away PostgreSQL cluster, and a small HTTP client that signs in to the admin.

Everything listens on loopback only, on ports from OPS_PORT_BASE (8300 by default).
"""

import contextlib
import http.cookiejar
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT_BASE = int(os.environ.get("OPS_PORT_BASE", "8300"))
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"Timed out after {timeout:.0f}s waiting for {what}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class TcpProxy:
    """Forwards 127.0.0.1:port to a target. `cut()` closes the listener and every open
    connection, so clients see what a stopped server gives them: refused connections
    and dropped sessions. `restore()` listens again. `freeze()` keeps every connection
    open and accepts new ones but passes no byte either way, so clients see what a
    frozen server (SIGSTOP) or a network black hole gives them: silence; `thaw()`
    passes what waited."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port, self.target = port, target
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()
        self._flowing = threading.Event()
        self._flowing.set()

    def freeze(self) -> None:
        self._flowing.clear()

    def thaw(self) -> None:
        self._flowing.set()

    def start(self) -> "TcpProxy":
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(64)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()
        return self

    restore = start

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                if not self._flowing.is_set():
                    if a.fileno() == -1 or b.fileno() == -1:  # cut while frozen
                        return
                    self._flowing.wait(0.2)
                    continue
                ready, _, _ = select.select([a, b], [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in (a, b):
                sock.close()

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the accepting thread and stops listening at once (Linux).
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    stop = cut


def server_env(**overrides) -> dict[str, str]:
    """The environment of an app server started by these tools: production settings,
    reachable over plain http on loopback."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "ops-loopback-only-" + "k" * 40),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    }
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)


def start_gunicorn(port: int, env: dict[str, str], log: Path, workers: int = 2, name: str = "app") -> subprocess.Popen:
    log_file = open(log, "ab")  # noqa: SIM115 - lives as long as the server
    process = subprocess.Popen(
        [
            GUNICORN,
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--name",
            name,
            "--graceful-timeout",
            "5",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(lambda: port_open(port) or process.poll() is not None, 30, f"gunicorn on {port}")
    if process.poll() is not None:
        raise RuntimeError(f"gunicorn on {port} exited; see {log}")
    return process


def stop_process(process: subprocess.Popen | None, sig=signal.SIGTERM, timeout: float = 10) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


# --- A throw-away PostgreSQL cluster (never the shared one) -------------------------


def _pg_bin(name: str) -> str:
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found (install PostgreSQL's server package)")
    return found


class PgCluster:
    """initdb into a temporary folder, listening on 127.0.0.1:port only, trust auth.
    Run as the `postgres` user when we are root (PostgreSQL refuses to run as root)."""

    def __init__(self, port: int, directory: Path | None = None):
        self.port = port
        self.dir = directory or Path(tempfile.mkdtemp(prefix="tracker-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{port}/tracker"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def init(self) -> "PgCluster":
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.dir}'\n"
                "fsync = off\nfull_page_writes = off\nmax_connections = 60\n"
            )
        return self

    def start(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self, name: str = "tracker") -> None:
        self._run(_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def destroy(self) -> None:
        self.thaw()
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def pids(self) -> list[int]:
        """The postmaster and every process it started (ours: we started the cluster)."""
        try:
            postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        return [postmaster, *children(postmaster)]

    def freeze(self) -> None:
        """SIGSTOP the whole server: connections stay open, nothing answers."""
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class RedisServer:
    """A redis-server of our own on loopback, configured as docs/deploying.md says:
    `maxmemory` with `allkeys-lru` for the cache, `noeviction` for the rate counters."""

    def __init__(self, port: int, *, maxmemory: str = "64mb", policy: str = "allkeys-lru"):
        self.port, self.maxmemory, self.policy = port, maxmemory, policy
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                self.maxmemory,
                "--maxmemory-policy",
                self.policy,
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: port_open(self.port), 10, f"redis-server on {self.port}")
        return self

    def freeze(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.process is not None:
            self.thaw()
            stop_process(self.process, sig)
            self.process = None

    def restart(self) -> None:
        """Killed outright and started again, empty (as a crash and a supervisor would)."""
        self.stop(signal.SIGKILL)
        wait_for(lambda: not port_open(self.port), 10, f"redis-server on {self.port} gone")
        self.start()


# --- HTTP -----------------------------------------------------------------------------


class Http:
    """A client with its own cookies; answers (status, headers, body) and never raises
    on an HTTP error status. A connection failure is status 0."""

    def __init__(self, base: str, timeout: float = 15):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        if body is not None:
            request.add_header("Referer", self.base + path)
            csrf = self.cookie("csrftoken")
            if csrf:
                request.add_header("X-CSRFToken", csrf)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            return 0, {}, b""

    def get(self, path: str, **headers):
        return self.request(path, headers=headers)

    def post(self, path: str, data: dict, **headers):
        return self.request(path, data=data, headers=headers)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def form(self, path: str) -> tuple[int, dict[str, str]]:
        """GET a form page: its status and the hidden and text fields' current values."""
        status, _, body = self.get(path)
        html = body.decode("utf-8", "replace")
        fields = {}
        for tag in re.findall(r"<input[^>]*>", html):
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            kind = re.search(r'type="([^"]+)"', tag)
            if name and (not kind or kind.group(1) in {"hidden", "text", "number", "date"}):
                fields[name.group(1)] = _unescape(value.group(1)) if value else ""
        for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
            fields[match.group(1)] = _unescape(match.group(2)).lstrip("\n")
        return status, fields

    def sign_in(self, username: str, password: str) -> bool:
        status, fields = self.form("/admin/login/")
        if status != 200:
            return False
        status, headers, _ = self.post(
            "/admin/login/?next=/admin/",
            {
                "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""),
                "username": username,
                "password": password,
                "next": "/admin/",
            },
        )
        return status == 302


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
