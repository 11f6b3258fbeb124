"""`make cluster`: an edge cache (Varnish) in front of two app servers (gunicorn) behind
nginx on loopback, sharing one PostgreSQL and one Redis, as production runs
(docs/deploying.md), small.

    Varnish 127.0.0.1:8323  ->  nginx 127.0.0.1:8320  ->  gunicorn 127.0.0.1:8321 (app-a),
                                                          127.0.0.1:8322 (app-b)
                              both on DATABASE_URL (PostgreSQL) and CACHE_URL (Redis)
    and one background worker (manage.py run_worker) beside them, which purges the
    edge after every change readers can see (tracker/caching/purge.py)

Varnish runs deploy/varnish/tracker.vcl with its backend set to this nginx, in a
working folder of its own (`-n`); the app servers then trust two proxy hops (Varnish
and nginx each append to X-Forwarded-For). `Cluster(edge=False)` leaves it out.

Without DATABASE_URL a throw-away PostgreSQL cluster is made (migrated, seeded, with
local staff logins printed); without CACHE_URL two throw-away redis-servers are
started, as docs/deploying.md configures Redis: the cache (8341, maxmemory with
allkeys-lru) and the rate counters (8342, noeviction).
nginx retries an idempotent request on the other server when one fails to answer
(proxy_next_upstream), never a POST. The app servers trust one proxy hop.
Stops on Ctrl-C, or after CLUSTER_SECONDS.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import opslib  # noqa: E402

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {dir}/nginx-access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 6m;
    # Above the site's own limits on the request line and headers (tracker/request_limits.py),
    # so that a client over them gets the site's answer (JSON under /api/), not nginx's page.
    large_client_header_buffers 4 64k;

    upstream tracker {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://tracker;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            # One trusted hop: the app servers take the entry nginx appends (TRUSTED_PROXY_HOPS=1).
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A server that refuses, resets or times out: try the other. Only idempotent
            # requests are retried (nginx's default), so an edit is never applied twice.
            proxy_next_upstream error timeout http_502 http_504;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


VCL = opslib.ROOT / "deploy" / "varnish" / "tracker.vcl"


def ensure_varnish() -> str:
    path = shutil.which("varnishd") or ("/usr/sbin/varnishd" if Path("/usr/sbin/varnishd").exists() else None)
    if not path:
        raise SystemExit(
            "Varnish is not installed: `apt-get install varnish varnish-modules` (make cluster does it as root)."
        )
    return path


def edge_vcl(origin_port: int) -> str:
    """deploy/varnish/tracker.vcl with its backend on this nginx."""
    text = VCL.read_text()
    default = '.port = "8320";'
    if default not in text:
        raise RuntimeError(f"{VCL} no longer names its backend port as {default}")
    return text.replace(default, f'.port = "{origin_port}";')


def ensure_nginx() -> str:
    path = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not path:
        raise SystemExit("nginx is not installed: `apt-get install nginx-light` (make cluster does it as root).")
    return path


class Cluster:
    def __init__(
        self,
        database_url: str,
        cache_url: str,
        port_base: int = opslib.PORT_BASE + 20,
        *,
        rates_url: str = "",
        worker: bool = False,
        worker_env: dict | None = None,
        edge: bool = False,
        **env,
    ):
        self.dir = Path(tempfile.mkdtemp(prefix="tracker-cluster-"))
        self.nginx_port = port_base
        self.app_ports = [port_base + 1, port_base + 2]
        self.edge_port = port_base + 3 if edge else None
        if rates_url:
            env["RATES_CACHE_URL"] = rates_url
        hops = 1
        if edge:
            hops = 2  # Varnish, then nginx
            env.setdefault("EDGE_PURGE_URLS", f"http://127.0.0.1:{self.edge_port}/")
        self.env = opslib.server_env(DATABASE_URL=database_url, CACHE_URL=cache_url, TRUSTED_PROXY_HOPS=hops, **env)
        self.apps: list[subprocess.Popen | None] = [None, None]
        self.nginx: subprocess.Popen | None = None
        self.varnish: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{self.nginx_port}"
        self.edge_url = f"http://127.0.0.1:{self.edge_port}" if edge else None
        self.with_worker = worker
        self.worker_env = {**self.env, **{key: str(value) for key, value in (worker_env or {}).items()}}
        self.worker: subprocess.Popen | None = None

    def app_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[index]}"

    def start_app(self, index: int) -> None:
        name = "ab"[index]
        self.apps[index] = opslib.start_gunicorn(
            self.app_ports[index], self.env, self.dir / f"app-{name}.log", workers=2, name=f"tracker-app-{name}"
        )

    def stop_app(self, index: int, sig=signal.SIGTERM) -> None:
        opslib.stop_process(self.apps[index], sig)

    def start_worker(self) -> None:
        """The background worker (webhooks, mail, jobs), as `make serve` runs it beside
        each server; one is enough here."""
        log = open(self.dir / "worker.log", "ab")  # noqa: SIM115 - lives as long as the worker
        self.worker = subprocess.Popen(
            [opslib.PYTHON, "manage.py", "run_worker"],
            cwd=opslib.ROOT,
            env=self.worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def worker_running(self) -> bool:
        return self.worker is not None and self.worker.poll() is None

    def start(self) -> "Cluster":
        nginx = ensure_nginx()
        opslib.collectstatic(self.env)
        for index in range(2):
            self.start_app(index)
        if self.with_worker:
            self.start_worker()
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / sub).mkdir()
        os.chmod(self.dir, 0o777)  # nginx's workers run as nobody when we are root
        servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=3s;" for port in self.app_ports)
        conf = self.dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=self.dir, servers=servers, port=self.nginx_port))
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(self.dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "nginx-stderr.log", "ab"),  # noqa: SIM115
            start_new_session=True,
        )
        opslib.wait_for(lambda: opslib.port_open(self.nginx_port), 15, "nginx")
        if self.edge_port:
            self.start_edge()
        # Ready when each server answers (its workers have warmed up), not when it listens.
        for index in range(2):
            http = opslib.Http(self.app_url(index), timeout=5)
            opslib.wait_for(lambda http=http: http.get("/robots.txt")[0] == 200, 30, f"app-{'ab'[index]} answering")
        return self

    def start_edge(self) -> None:
        """varnishd in the foreground (-F), its working folder under ours (-n)."""
        varnishd = ensure_varnish()
        vcl = self.dir / "tracker.vcl"
        vcl.write_text(edge_vcl(self.nginx_port))
        vcl.chmod(0o644)
        self.varnish = subprocess.Popen(
            [
                varnishd,
                "-F",
                "-n",
                str(self.dir / "varnish"),
                "-a",
                f"127.0.0.1:{self.edge_port}",
                "-T",
                "none",  # no management port: nothing to guard
                "-f",
                str(vcl),
                "-s",
                "malloc,128m",
                # Room for the keys a page names (tracker/caching/edge.py keeps them under 7 kB).
                "-p",
                "http_resp_hdr_len=16k",
                "-p",
                "http_resp_size=64k",
                "-p",
                "workspace_backend=128k",
            ],  # fmt: skip
            stdout=open(self.dir / "varnish.log", "ab"),  # noqa: SIM115 - lives as long as Varnish
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        opslib.wait_for(
            lambda: opslib.port_open(self.edge_port) or self.varnish.poll() is not None, 30, "Varnish listening"
        )
        if self.varnish.poll() is not None:
            raise RuntimeError(f"varnishd exited; see {self.dir / 'varnish.log'}")

    def stop(self) -> None:
        opslib.stop_process(self.varnish)
        opslib.stop_process(self.nginx, signal.SIGQUIT)
        for index in range(2):
            self.stop_app(index)
        opslib.stop_process(self.worker, timeout=40)  # it finishes the attempt in hand

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}" for path in self.dir.glob("*.log")
        )


def throwaway_postgres(cleanup: list, port: int, seed: bool = True) -> opslib.PgCluster:
    """A PostgreSQL cluster of our own, migrated (and seeded), removed by `cleanup`."""
    pg = opslib.PgCluster(port).init()
    pg.start()
    cleanup.append(pg.destroy)
    pg.create_database()
    env = opslib.server_env(DATABASE_URL=pg.url)
    print(f"A throw-away PostgreSQL on port {port}: migrating and loading the seeds...", flush=True)
    manage = [opslib.PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=opslib.ROOT, env=env, check=True)
    if seed:
        subprocess.run([*manage, "load_seeds"], cwd=opslib.ROOT, env=env, check=True)
    return pg


def redis_urls(cleanup: list, port: int) -> tuple[str, str]:
    """CACHE_URL (and RATES_CACHE_URL) when CACHE_URL is Redis; else two throw-away
    redis-servers of our own configured as docs/deploying.md says: the cache with a
    memory limit that evicts, the rate counters in one that never does."""
    cache_url = os.environ.get("CACHE_URL", "")
    if cache_url.startswith("redis"):
        return cache_url, os.environ.get("RATES_CACHE_URL", "")
    cache = opslib.RedisServer(port, maxmemory="64mb", policy="allkeys-lru").start()
    rates = opslib.RedisServer(port + 1, maxmemory="16mb", policy="noeviction").start()
    cleanup += [cache.stop, rates.stop]
    return cache.url, rates.url


def main() -> None:
    cleanup: list = []
    cluster = None
    try:
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith("postgres"):
            database_url = throwaway_postgres(cleanup, opslib.PORT_BASE + 40).url
            # Logins for a throw-away database on loopback (the command runs only with DEBUG on).
            env = opslib.server_env(DATABASE_URL=database_url, DEBUG="true")
            subprocess.run([opslib.PYTHON, "manage.py", "local_staff"], cwd=opslib.ROOT, env=env, check=True)
        cache_url, rates_url = redis_urls(cleanup, opslib.PORT_BASE + 41)
        cluster = Cluster(database_url, cache_url, rates_url=rates_url, worker=True, edge=True).start()
        print(
            f"Varnish {cluster.edge_url} -> nginx {cluster.url} -> {cluster.app_url(0)}, {cluster.app_url(1)},"
            f" and a worker; logs in {cluster.dir}",
            flush=True,
        )
        seconds = float(os.environ.get("CLUSTER_SECONDS", "0"))
        deadline = time.monotonic() + seconds if seconds else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        if cluster is not None:
            cluster.stop()
        for step in reversed(cleanup):
            step()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    main()
