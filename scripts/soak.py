#!/usr/bin/env python3
"""`make soak`: a fleet of Python, PHP, Ruby, C and CLI workers on one identity, under faults.

Two phases, each at least SECONDS/2 long: the file store, then Redis through Sentinel (a
primary, a replica and 3 sentinels on loopback). In each, one long-running worker per
language (bindings/python/tests/soak_worker.py, bindings/php/tests/fixtures/soak_worker.php,
bindings/ruby/test/soak_worker.rb, tests/c/soak_worker.c) and a loop of `authtoken request`
processes send signed GETs to the emulator's /api/echo/, while a schedule of faults runs:
token expiry and revocation, emulator 500s (at login and on requests), dropped and reset
connections, a login dropped after the server issued its token, a slow login during which the
process holding the login lock is SIGKILLed and restarted, a corrupted cache entry, and (Redis)
the primary SIGKILLed, failed over, and started again as a replica.

Each fault has a window (from its start until it is over, plus GRACE_S) and the error kinds
it explains. The run fails (exit 1) on a crash (a worker that exits other than when told to,
or by a signal we did not send; a CLI process killed by a signal or exiting without an error
line), an error that no window explains, a worker whose last request failed, a fresh process
after the phase that cannot use the store's token without a login, or more successful logins
than floor + bound, where

  floor = 1 (the first login) + the expiries and revocations that hit a live token, and
  bound = 1 for each fault that may cost one login more: a login whose answer was dropped (the
          server issued a token nobody got), a SIGKILL during a login (the same), a corrupted
          entry (a cold process reading it logs in), a failover (a save not yet on the replica).

It prints one table per phase: requests, successes, errors by kind, p50/p99/max latency and
the RSS of each worker process (after its first success and at its end).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Callable

SERVICE = "tpstreams"
SENTINEL_SERVICE = "authtoken-soak"
PASSWORD = os.environ.get("AUTHTOKEN_TEST_PASSWORD", "demo-password")
# How long after a fault is over the errors it caused are still explained by it.
GRACE_S = 1.5
# How long the sentinels wait before they call a silent primary down. tests/redis_ha.rs uses
# 400 ms; here, with five workers, a CLI process every 30 ms, the emulator and five Redis
# processes on two cores, a primary stalled that long now and then and the sentinels failed
# over on their own, twice in a row (docs/soak.md, "Found"). 1.5 s makes that rare; the soak
# still finds and counts any failover it did not make.
DOWN_AFTER_MS = 1500
# The workers' login timeout; the Redis login lock lives TIMEOUT_MS + 2 s unless renewed, so
# a SIGKILLed lock holder stalls the Redis fleet's logins for up to 5 s.
TIMEOUT_MS = 3000
PAUSE_MS = 20
# Quiet time at the start (first logins) and at the end (every worker must end on a success).
WARM_S = 1.0
TAIL_S = 2.0
MIN_GAP_S = 0.5
LANGUAGES = ("python", "php", "ruby", "c")
# A phase of N seconds runs N // ROUND_S rounds of the fault schedule (at least one).
ROUND_S = 30


class SoakError(Exception):
    """The soak could not run (a server that does not start, a missing binary)."""


def now() -> float:
    return time.time()


# ---------------------------------------------------------------------------------------
# The emulator


class Emulator:
    def __init__(self, binary: str, workdir: Path) -> None:
        addr = workdir / "emulator.addr"
        self.log = workdir / "emulator.log"
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [
                    binary,
                    "--bind",
                    "127.0.0.1:0",
                    "--password",
                    PASSWORD,
                    "--quiet",
                    "--addr-file",
                    str(addr),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = now() + 10
        while not addr.exists():
            if self.proc.poll() is not None or now() > deadline:
                raise SoakError(f"the emulator did not start: {self.log.read_text()}")
            time.sleep(0.02)
        self.root = addr.read_text().strip()
        # The admin API must not go through a proxy the environment may name.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.root}/_emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        # A "reset" fault closes connections at accept time, admin ones included: retry.
        for attempt in range(5):
            try:
                with self.opener.open(request, timeout=10) as answer:
                    return json.loads(answer.read() or b"null")
            except (urllib.error.URLError, ConnectionError) as e:
                if attempt == 4:
                    raise SoakError(f"emulator admin {method} {path}: {e}") from e
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def logins(self, user: str) -> int:
        return int(self.admin("GET", "stats")["logins"][SERVICE].get(user, 0))

    def attempts(self, user: str) -> int:
        return int(self.admin("GET", "stats")["login_attempts"][SERVICE].get(user, 0))

    def pending(self) -> int:
        return len(self.admin("GET", "faults"))

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# ---------------------------------------------------------------------------------------
# Redis: a minimal RESP client, servers and sentinels


class RedisReplyError(Exception):
    pass


def _read_reply(f: IO[bytes]) -> Any:
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("Redis closed the connection")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RedisReplyError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2].decode(errors="replace")
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(f) for _ in range(n)]
    raise ConnectionError(f"unexpected Redis reply {line!r}")


def redis(port: int, *args: str) -> Any:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        parts = [f"*{len(args)}\r\n".encode()]
        for a in args:
            b = a.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(b), b))
        s.sendall(b"".join(parts))
        with s.makefile("rb") as f:
            return _read_reply(f)


def redis_ok(port: int, *args: str) -> Any:
    """The reply, or None when the server cannot be reached or answers an error."""
    try:
        return redis(port, *args)
    except (OSError, RedisReplyError):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, timeout: float, check: Callable[[], bool]) -> None:
    deadline = now() + timeout
    while not check():
        if now() > deadline:
            raise SoakError(f"timed out after {timeout:.0f} s waiting until {what}")
        time.sleep(0.05)


class RedisProc:
    """A redis-server (or sentinel) on a loopback port, with its own directory."""

    def __init__(self, binary: str, workdir: Path, name: str, args: list[str], port: int) -> None:
        self.binary, self.name, self.port = binary, name, port
        self.dir = workdir / name
        self.dir.mkdir(exist_ok=True)
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.start(args)

    def start(self, args: list[str]) -> None:
        self.args = args
        self.proc = subprocess.Popen(
            [self.binary, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=self.dir,
        )
        wait_until(f"{self.name} answers PING", 10, lambda: redis_ok(self.port, "PING") == "PONG")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def server_args(port: int, directory: Path, replica_of: int | None) -> list[str]:
    args = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    # A replica (re)joining gets its copy at once, not after the default 5 s wait.
    args += ["--repl-diskless-sync-delay", "0"]
    args += ["--dir", str(directory), "--logfile", str(directory / "redis.log")]
    if replica_of is not None:
        args += ["--replicaof", "127.0.0.1", str(replica_of)]
    return args


# A sentinel's log line about the primary: "PID:X 03 Dec 2026 16:44:30.343 # +switch-master …".
SENTINEL_LOG_LINE = re.compile(
    r"^\d+:X (?P<when>\d\d \w{3} \d{4} \d\d:\d\d:\d\d)\.(?P<ms>\d{3}) [#*] "
    r"(?P<event>\+switch-master|\+sdown master)(?P<rest>.*)$"
)


class Sentinels:
    """1 primary + 1 replica + 3 sentinels (down-after DOWN_AFTER_MS; see there)."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.servers: dict[int, RedisProc] = {}
        self.sentinels: list[RedisProc] = []
        try:
            self._start(binary, workdir)
        except BaseException:
            self.stop()
            raise

    def _start(self, binary: str, workdir: Path) -> None:
        p, r = free_port(), free_port()
        self.servers = {
            p: RedisProc(binary, workdir, "redis-a", server_args(p, workdir / "redis-a", None), p)
        }
        self.servers[r] = RedisProc(
            binary, workdir, "redis-b", server_args(r, workdir / "redis-b", p), r
        )
        wait_until("the replica is in sync", 10, lambda: self._in_sync(r))
        for i in range(3):
            port = free_port()
            d = workdir / f"sentinel-{i}"
            d.mkdir()
            conf = d / "sentinel.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndaemonize no\ndir {d}\nlogfile {d}/sentinel.log\n"
                f"sentinel monitor {SENTINEL_SERVICE} 127.0.0.1 {p} 2\n"
                f"sentinel down-after-milliseconds {SENTINEL_SERVICE} {DOWN_AFTER_MS}\n"
                f"sentinel failover-timeout {SENTINEL_SERVICE} 3000\n"
                f"sentinel parallel-syncs {SENTINEL_SERVICE} 1\n"
            )
            self.sentinels.append(
                RedisProc(binary, workdir, f"sentinel-{i}", [str(conf), "--sentinel"], port)
            )
        for s in self.sentinels:

            def knows_all(port: int = s.port) -> bool:
                replicas = redis_ok(port, "SENTINEL", "replicas", SENTINEL_SERVICE) or []
                others = redis_ok(port, "SENTINEL", "sentinels", SENTINEL_SERVICE) or []
                return len(replicas) == 1 and len(others) == 2

            wait_until("every sentinel knows the replica and the other sentinels", 30, knows_all)

    @staticmethod
    def _in_sync(port: int) -> bool:
        info = redis_ok(port, "INFO", "replication")
        return isinstance(info, str) and "master_link_status:up" in info

    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{SENTINEL_SERVICE}"

    def switches(self) -> list[tuple[float, float | None, str]]:
        """Every failover the sentinels made, from their logs: (when the primary was switched,
        when that sentinel first saw the old primary down, the switch's line). Each sentinel
        logs each switch; the log with the most of them is read."""
        best: list[tuple[float, float | None, str]] = []
        for s in self.sentinels:
            log = s.dir / "sentinel.log"
            text = log.read_text(errors="replace") if log.exists() else ""
            seen: list[tuple[float, float | None, str]] = []
            down: float | None = None
            for line in text.splitlines():
                m = SENTINEL_LOG_LINE.match(line)
                if not m:
                    continue
                at = (
                    time.mktime(time.strptime(m["when"], "%d %b %Y %H:%M:%S")) + int(m["ms"]) / 1000
                )
                if m["event"] == "+sdown master" and down is None:
                    down = at
                elif m["event"] == "+switch-master":
                    seen.append((at, down, m["rest"].strip()))
                    down = None
            if len(seen) > len(best):
                best = seen
        return best

    def primary(self) -> int | None:
        for s in self.sentinels:
            addr = redis_ok(s.port, "SENTINEL", "get-master-addr-by-name", SENTINEL_SERVICE)
            if isinstance(addr, list) and len(addr) == 2:
                return int(addr[1])
        return None

    def stop(self) -> None:
        for proc in [*self.sentinels, *self.servers.values()]:
            proc.kill()


# ---------------------------------------------------------------------------------------
# Workers


@dataclass
class Record:
    worker: str
    t0: float
    t1: float
    ok: bool
    kind: str = ""
    msg: str = ""
    explained_by: str = ""


@dataclass
class Proc:
    """One process of a worker slot (a slot's process is replaced when we SIGKILL it)."""

    slot: str
    gen: int
    popen: subprocess.Popen[bytes]
    stderr_path: Path
    killed_by_us: bool = False
    ended: bool = False
    oks: int = 0
    rss_first_kb: int | None = None
    rss_last_kb: int | None = None
    reader: threading.Thread | None = None
    garbage: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.slot if self.gen == 0 else f"{self.slot}#{self.gen}"


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


@dataclass
class Tools:
    root: Path
    python: str
    php: str
    ruby: str
    c_worker: str
    cli: str
    lib: str


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


@dataclass
class Window:
    name: str
    start: float
    end: float
    explains: frozenset[str]
    note: str = ""
    explained: int = 0


class Phase:
    def __init__(
        self,
        name: str,
        tools: Tools,
        emu: Emulator,
        workdir: Path,
        *,
        seconds: float,
        store: dict[str, Any],
        sentinels: Sentinels | None,
    ) -> None:
        self.name, self.tools, self.emu, self.seconds = name, tools, emu, seconds
        self.sentinels = sentinels
        self.user = f"soak-{name}-{os.getpid()}"
        self.organization = f"soak-{name}-org"
        self.dir = workdir / name
        self.dir.mkdir()
        self.cache_dir = self.dir / "cache"
        self.cache_dir.mkdir(mode=0o700)
        self.stop_file = self.dir / "stop"
        self.config: dict[str, Any] = {
            "provider": SERVICE,
            "username": self.user,
            "organization_id": self.organization,
            "base_url": f"{emu.root}/{SERVICE}",
            "timeout_ms": TIMEOUT_MS,
            **(store or {"cache_dir": str(self.cache_dir)}),
        }
        self.lock = threading.Lock()
        self.records: list[Record] = []
        self.procs: list[Proc] = []
        self.live: dict[str, Proc] = {}
        self.windows: list[Window] = []
        self.floor_events: list[str] = []
        self.bound_events: list[str] = []
        # When each expiry or revocation was sent.
        self.token_ends: list[float] = []
        # (when the sampler saw it, the emulator's login count): the logins' timeline.
        self.login_times: list[tuple[float, int]] = []
        self.spanning = 0
        self.problems: list[str] = []
        self.cli_runs = 0
        self.kill_rotation = 0
        self.stopping = threading.Event()
        self.elapsed = 0.0
        self.converged_ok = False
        self.logins = self.attempts = self.floor = self.bound = 0

    def kill_all(self) -> None:
        """Ends every process still running (after a failure of the soak itself)."""
        self.stop_file.touch()
        for p in self.procs:
            if p.popen.poll() is None:
                p.popen.kill()
                p.popen.wait()

    # -- processes

    def env(self) -> dict[str, str]:
        # Nothing of the caller's own authtoken settings (AUTHTOKEN_*, a config file under
        # XDG_CONFIG_HOME) may reach the workers; the suites' password and token log may.
        keep = {"AUTHTOKEN_TEST_PASSWORD", "AUTHTOKEN_EMULATOR_TOKEN_LOG"}
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTHTOKEN_") or k in keep}
        env.update(
            XDG_CONFIG_HOME=str(self.dir),
            SOAK_CONFIG=json.dumps(self.config),
            SOAK_STOP=str(self.stop_file),
            SOAK_PAUSE_MS=str(PAUSE_MS),
            AUTHTOKEN_PASSWORD=PASSWORD,
            AUTHTOKEN_LIB=self.tools.lib,
            AUTHTOKEN_CACHE_DIR=str(self.cache_dir),
        )
        return env

    def command(self, slot: str) -> list[str]:
        root = self.tools.root
        return {
            "python": [self.tools.python, str(root / "bindings/python/tests/soak_worker.py")],
            "php": [self.tools.php, str(root / "bindings/php/tests/fixtures/soak_worker.php")],
            "ruby": [self.tools.ruby, str(root / "bindings/ruby/test/soak_worker.rb")],
            "c": [self.tools.c_worker],
        }[slot]

    def spawn(self, slot: str, gen: int) -> Proc:
        stderr_path = self.dir / f"{slot}.{gen}.stderr"
        with stderr_path.open("wb") as err:
            popen = subprocess.Popen(
                self.command(slot),
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
            )
        proc = Proc(slot, gen, popen, stderr_path)
        proc.reader = threading.Thread(target=self.read, args=(proc,), daemon=True)
        proc.reader.start()
        with self.lock:
            self.procs.append(proc)
            self.live[slot] = proc
        return proc

    def read(self, proc: Proc) -> None:
        assert proc.popen.stdout is not None
        for raw in proc.popen.stdout:
            try:
                line = json.loads(raw)
                if "end" in line:
                    proc.ended = True
                    continue
                record = Record(
                    proc.name,
                    line["t0"] / 1000,
                    line["t1"] / 1000,
                    bool(line["ok"]),
                    str(line.get("kind", "")),
                    str(line.get("msg", "")),
                )
            except (ValueError, KeyError, TypeError):
                proc.garbage.append(raw.decode(errors="replace").rstrip())
                continue
            if record.ok:
                proc.oks += 1
            with self.lock:
                self.records.append(record)

    def sample_rss(self) -> None:
        """Every 200 ms: each worker's RSS, and the emulator's login count (for the timeline)."""
        while not self.stopping.is_set():
            try:
                count = self.emu.logins(self.user)
            except SoakError:
                count = -1
            if count >= 0 and (not self.login_times or count != self.login_times[-1][1]):
                self.login_times.append((now(), count))
            with self.lock:
                procs = list(self.live.values())
            for p in procs:
                kb = rss_kb(p.popen.pid)
                if kb is not None and p.oks > 0 and p.popen.poll() is None:
                    if p.rss_first_kb is None:
                        p.rss_first_kb = kb
                    p.rss_last_kb = kb
            time.sleep(0.2)

    def cli_env(self) -> dict[str, str]:
        env = self.env()
        for key, value in self.config.items():
            env[f"AUTHTOKEN_{key.upper()}"] = str(value)
        return env

    def converged(self) -> None:
        """After the phase, a fresh process gets the fleet's token from the store: one signed
        request that succeeds without a login."""
        before = self.emu.logins(self.user)
        run = subprocess.run(
            [self.tools.cli, "request", "GET", "/api/echo/"],
            env=self.cli_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if run.returncode != 0:
            self.problems.append(
                f"after the phase, a fresh `authtoken request` exited {run.returncode}: "
                f"{run.stderr.decode(errors='replace').strip()}"
            )
        elif self.emu.logins(self.user) != before:
            self.problems.append(
                "after the phase, a fresh `authtoken request` logged in: the store did not hold "
                "a valid token of the fleet"
            )
        else:
            self.converged_ok = True

    def cli_loop(self) -> None:
        env = self.cli_env()
        while not self.stop_file.exists():
            t0 = now()
            try:
                run = subprocess.run(
                    [self.tools.cli, "request", "GET", "/api/echo/"],
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    check=False,
                    timeout=60,
                )
            except subprocess.TimeoutExpired:
                with self.lock:
                    self.problems.append("crash: an `authtoken request` ran for over 60 s")
                continue
            t1 = now()
            self.cli_runs += 1
            stderr = run.stderr.decode(errors="replace").strip()
            record = Record("cli", t0, t1, run.returncode == 0)
            if run.returncode < 0:
                with self.lock:
                    self.problems.append(
                        f"crash: `authtoken request` killed by signal {-run.returncode}: {stderr}"
                    )
            elif run.returncode == 5:
                record.kind, record.msg = "http_5xx", run.stdout.decode(errors="replace")[:200]
            elif run.returncode == 4:
                record.kind, record.msg = "http_4xx", run.stdout.decode(errors="replace")[:200]
            elif run.returncode != 0:
                m = re.search(r"error\[([a-z_]+)\]", stderr)
                record.kind = m.group(1) if m else f"exit_{run.returncode}"
                record.msg = stderr[:300]
                if not m:
                    with self.lock:
                        self.problems.append(
                            f"crash: `authtoken request` exited {run.returncode} without an "
                            f"error line: {stderr}"
                        )
            with self.lock:
                self.records.append(record)
            time.sleep(PAUSE_MS / 1000)

    # -- fault helpers

    def window(self, name: str, start: float, explains: set[str], note: str = "") -> Window:
        w = Window(name, start, now(), frozenset(explains), note)
        self.windows.append(w)
        return w

    def selector(self) -> dict[str, str]:
        return {"service": SERVICE, "username": self.user}

    def live_tokens(self) -> int:
        live = self.emu.admin("GET", "stats")["live_tokens"][SERVICE]
        return int(live.get(self.organization, 0))

    def expire(self, why: str) -> set[str]:
        """Expires the identity's tokens as part of another fault; returns the kinds that the
        expiry explains (see end_tokens)."""
        live = self.live_tokens()
        self.token_ends.append(now())
        if self.emu.admin("POST", "expire", self.selector())["expired"] > 0:
            self.floor_events.append(why)
        return {"unauthorized"} if live > 1 else set()

    def end_tokens(self, action: str) -> None:
        """Expires or revokes every token of the identity. When more than one was live (a
        process may hold one while the store holds another, after a lost login answer or a
        corrupted entry), a worker's one retry after the 401 may use the store's token, refused
        as well: the window then explains `unauthorized`."""
        t = now()
        live = self.live_tokens()
        self.token_ends.append(now())
        answer = self.emu.admin("POST", action, self.selector())
        if answer["expired" if action == "expire" else "revoked"] > 0:
            self.floor_events.append(action)
        explains = {"unauthorized"} if live > 1 else set()
        self.window(action, t, explains, f"{live} live tokens" if live > 1 else "")

    def faults_until_consumed(self, faults: list[dict[str, Any]], timeout: float) -> None:
        """Injects, waits until every fault has been used (or timeout), clears what is left."""
        if faults:
            self.emu.admin("POST", "faults", faults)
        deadline = now() + timeout
        while self.emu.pending() > 0 and now() < deadline:
            time.sleep(0.05)
        self.emu.admin("DELETE", "faults")

    def lock_holder(self) -> int | None:
        """The pid holding the login lock: in Redis, from the lock's value
        (host:pid:random); in the file store, the flock's holder from /proc/locks."""
        if self.sentinels is not None:
            port = self.sentinels.primary()
            keys = redis_ok(port, "KEYS", "soak:lock:*") if port else None
            value = redis_ok(port, "GET", keys[0]) if port and keys else None
            parts = value.split(":") if isinstance(value, str) else []
            return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None
        locks = list(self.cache_dir.glob("*.lock"))
        if not locks:
            return None
        inode = locks[0].stat().st_ino
        for line in Path("/proc/locks").read_text().splitlines():
            f = line.split()
            # "1: FLOCK  ADVISORY  WRITE 1234 00:2a:5678 0 EOF" (a "->" marks a waiter)
            if len(f) >= 6 and f[1] == "FLOCK" and f[5].endswith(f":{inode}"):
                return int(f[4])
        return None

    # -- the faults

    def f_expire(self) -> None:
        self.end_tokens("expire")

    def f_revoke(self) -> None:
        self.end_tokens("revoke")

    def f_login_500(self) -> None:
        t = now()
        self.emu.admin(
            "POST",
            "faults",
            {"service": SERVICE, "path": "login", "kind": "status", "status": 500, "count": 2},
        )
        also = self.expire("expire (logins answered 500 twice)")
        self.faults_until_consumed([], 3)
        self.window("expire, login 500 x2", t, {"server", *also})

    def f_drops(self) -> None:
        t = now()
        self.faults_until_consumed(
            [
                {"service": SERVICE, "path": "/api/echo/", "kind": "drop", "count": 3},
                {"kind": "reset", "count": 2},
            ],
            3,
        )
        self.window("echo dropped x3, connections reset x2", t, {"network"})

    def f_echo_500(self) -> None:
        t = now()
        self.faults_until_consumed(
            [
                {
                    "service": SERVICE,
                    "path": "/api/echo/",
                    "kind": "status",
                    "status": 500,
                    "count": 3,
                }
            ],
            3,
        )
        self.window("echo 500 x3", t, {"http_500", "http_5xx"})

    def f_login_dropped(self) -> None:
        t = now()
        self.emu.admin(
            "POST",
            "faults",
            {"service": SERVICE, "path": "login", "kind": "drop_after_processing", "count": 1},
        )
        also = self.expire("expire (the login's answer dropped)")
        self.faults_until_consumed([], 3)
        self.bound_events.append("a login answer dropped after the token was issued")
        self.window("expire, login answered then dropped", t, {"network", *also})

    def f_slow_login_kill(self) -> None:
        t = now()
        self.emu.admin(
            "POST",
            "faults",
            {"service": SERVICE, "path": "login", "kind": "delay", "delay_ms": 1000, "count": 1},
        )
        also = self.expire("expire (a slow login, its process SIGKILLed)")
        # The login is delayed 1 s: find the worker that holds the lock meanwhile (a CLI
        # process may hold it instead; then another worker is killed while it waits).
        with self.lock:
            by_pid = {p.popen.pid: p for p in self.live.values()}
        deadline = now() + 0.7
        while (holder := self.lock_holder()) not in by_pid and now() < deadline:
            time.sleep(0.02)
        if holder in by_pid:
            victim, how = by_pid[holder], "the login lock holder"
        else:
            slot = LANGUAGES[self.kill_rotation % len(LANGUAGES)]
            self.kill_rotation += 1
            victim = self.live[slot]
            how = "a worker during the slow login"
        victim.killed_by_us = True
        victim.popen.send_signal(signal.SIGKILL)
        victim.popen.wait()
        self.spawn(victim.slot, victim.gen + 1)
        self.faults_until_consumed([], 3)
        # The fault is over when nobody holds the login lock any more: at once for the file
        # store's flock, after the lock's TTL (timeout_ms + 2 s) in Redis.
        deadline = now() + TIMEOUT_MS / 1000 + 5
        while self.lock_holder() is not None and now() < deadline:
            time.sleep(0.02)
        self.bound_events.append(f"SIGKILL of {how} ({victim.name}) mid-login")
        self.window("expire, slow login (1 s), SIGKILL + restart", t, also, f"{how}: {victim.name}")

    def f_corrupt(self) -> None:
        t = now()
        garbage = '{"version": 1, "token": "0123'
        if self.sentinels is None:
            deadline = now() + 10
            while not (entries := list(self.cache_dir.glob("*.json"))) and now() < deadline:
                time.sleep(0.05)
            if not entries:
                found = sorted(p.name for p in self.cache_dir.iterdir())
                self.problems.append(
                    f"the corrupt-entry fault found no entry in the file store: {found}"
                )
                return
            tmp = self.cache_dir / ".soak-corrupt"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.write(fd, garbage.encode())
            os.close(fd)
            os.replace(tmp, entries[0])
            where = f"file {entries[0].name[:12]}…"
        else:
            deadline = now() + 10
            while True:
                port = self.sentinels.primary()
                keys = redis_ok(port, "KEYS", "soak:token:*") if port else None
                if keys or now() > deadline:
                    break
                time.sleep(0.05)
            if not keys:
                present = redis_ok(port, "KEYS", "*") if port else None
                self.problems.append(f"the corrupt-entry fault found no entry in Redis: {present}")
                return
            redis(port or 0, "SET", keys[0], garbage, "KEEPTTL")
            where = f"Redis key {keys[0][:20]}…"
        self.bound_events.append("a corrupted entry")
        self.window("corrupted entry", t, set(), where)

    def f_failover(self) -> None:
        assert self.sentinels is not None
        t = now()
        old = self.sentinels.primary()
        if old is None:
            raise SoakError("no sentinel names a primary")
        new = next(p for p in self.sentinels.servers if p != old)
        self.sentinels.servers[old].kill()
        wait_until(
            "the replica is promoted",
            30,
            lambda: self.sentinels is not None and self.sentinels.primary() == new,
        )
        promoted = now() - t
        self.bound_events.append("a failover (a save may not have reached the replica)")
        self.window(
            "primary SIGKILLed, failed over",
            t,
            {"store"},
            f"replica promoted after {promoted:.1f} s",
        )
        t = now()
        server = self.sentinels.servers[old]
        server.start(server_args(old, server.dir, new))
        try:
            wait_until("the old primary is a replica in sync", 20, lambda: Sentinels._in_sync(old))
        except SoakError as e:
            log = (server.dir / "redis.log").read_text(errors="replace")[-2000:]
            raise SoakError(f"{e}; its log ends with:\n{log}") from e
        self.window("old primary restarted as a replica", t, set())

    # -- the run

    def schedule(self) -> list[Callable[[], None]]:
        """One round of faults per ROUND_S seconds of the phase (at least one round)."""
        steps: list[Callable[[], None]] = [
            self.f_expire,
            self.f_login_500,
            self.f_drops,
            self.f_corrupt,
            self.f_revoke,
            self.f_slow_login_kill,
            self.f_echo_500,
            self.f_login_dropped,
            self.f_expire,
        ]
        if self.sentinels is not None:
            steps.insert(3, self.f_failover)
        return steps * max(1, int(self.seconds // ROUND_S))

    def run(self) -> None:
        start = now()
        for slot in LANGUAGES:
            self.spawn(slot, 0)
        sampler = threading.Thread(target=self.sample_rss, daemon=True)
        sampler.start()
        cli = threading.Thread(target=self.cli_loop, daemon=True)
        cli.start()
        steps = self.schedule()
        spacing = max(0.0, self.seconds - WARM_S - TAIL_S) / len(steps)
        for i, step in enumerate(steps):
            # On time, but never right on the heels of a fault that ran late (a failover, a
            # stalled lock), so that each fault meets a fleet that is working again.
            delay = start + WARM_S + i * spacing - now()
            time.sleep(max(delay, MIN_GAP_S if i > 0 else 0.0))
            step()
        time.sleep(max(TAIL_S, start + self.seconds - now()))
        self.stop_file.touch()
        self.finish(cli)
        self.converged()
        self.stopping.set()
        sampler.join()
        self.elapsed = now() - start

    def finish(self, cli: threading.Thread) -> None:
        cli.join(90)
        if cli.is_alive():
            self.problems.append("crash: the CLI loop did not stop")
        for p in self.procs:
            if p.killed_by_us:
                continue
            try:
                rc = p.popen.wait(30)
            except subprocess.TimeoutExpired:
                p.popen.kill()
                rc = p.popen.wait()
                self.problems.append(f"crash: {p.name} did not stop within 30 s")
            if p.reader is not None:
                p.reader.join(10)
            tail = p.stderr_path.read_text(errors="replace").strip()[-800:]
            if rc != 0 or not p.ended:
                self.problems.append(
                    f"crash: {p.name} exited {rc} ({'with' if p.ended else 'without'} its end "
                    f"line); stderr: {tail or '(empty)'}"
                )
            for g in p.garbage[:3]:
                self.problems.append(f"{p.name} printed a line that is not JSON: {g!r}")

    def unplanned_failovers(self) -> None:
        """The sentinels fail over on their own when a primary stalls for longer than
        down-after-milliseconds (DOWN_AFTER_MS): on a loaded 2-core machine the newly promoted
        primary sometimes does, and the failover back can lose the last writes (asynchronous
        replication), as a planned one can. Each such failover is a fault of its own: it
        adds its window (errors of kind `store`) and one login to the bound."""
        if self.sentinels is None:
            return
        planned = [w for w in self.windows if w.name == "primary SIGKILLed, failed over"]
        switches = self.sentinels.switches()
        # Each planned failover is the first switch from its start on; any other is unplanned.
        claimed: set[int] = set()
        for w in planned:
            for i, (at, _, _) in enumerate(switches):
                if i not in claimed and w.start - 0.5 <= at <= w.end + GRACE_S:
                    claimed.add(i)
                    break
        for i, (at, down, line) in enumerate(switches):
            if i in claimed:
                continue
            t0 = self.windows[0].start if self.windows else at
            self.bound_events.append(f"an unplanned failover at +{at - t0:.1f} s")
            start = down if down is not None and down <= at else at - 2.0
            w = Window(
                "unplanned failover (a stalled primary)",
                start,
                at,
                frozenset({"store"}),
                f"sentinels: {line}",
            )
            self.windows.append(w)
        self.windows.sort(key=lambda w: w.start)

    def judge(self) -> None:
        self.unplanned_failovers()
        for r in self.records:
            if r.ok:
                continue
            # A request refused after its one retry, having lived through two expiries or
            # revocations: the first killed its token, the second the one its retry got.
            if r.kind == "unauthorized" and sum(r.t0 <= e <= r.t1 for e in self.token_ends) >= 2:
                r.explained_by = "two expiries/revocations during the request"
                self.spanning += 1
                continue
            for w in self.windows:
                if r.kind in w.explains and r.t1 >= w.start and r.t0 <= w.end + GRACE_S:
                    r.explained_by = w.name
                    w.explained += 1
                    break
            else:
                self.problems.append(
                    f"unexplained error: {r.worker} at +{r.t0 - self.windows[0].start:.2f} s "
                    f"(from the first fault): {r.kind}: {r.msg}"
                )
        last_fault_end = max(w.end for w in self.windows)
        for worker in [*LANGUAGES, "cli"]:
            mine = sorted(
                (r for r in self.records if r.worker.split("#")[0] == worker), key=lambda r: r.t1
            )
            if not mine:
                self.problems.append(f"{worker} made no request")
            elif not mine[-1].ok:
                self.problems.append(f"{worker}: its last request failed ({mine[-1].kind})")
            elif not any(r.ok and r.t1 > last_fault_end for r in mine):
                self.problems.append(f"{worker}: no success after the last fault")
        self.logins = self.emu.logins(self.user)
        self.attempts = self.emu.attempts(self.user)
        self.floor = 1 + len(self.floor_events)
        self.bound = len(self.bound_events)
        if self.logins > self.floor + self.bound:
            self.problems.append(
                f"{self.logins} logins, above floor {self.floor} + bound {self.bound}"
            )

    def report(self) -> None:
        store = "Redis via Sentinel" if self.sentinels else "file store"
        print(
            f"\n== phase {self.name} ({store}): {self.elapsed:.1f} s, "
            f"{len(self.windows)} fault windows, identity {self.user}"
        )
        head = (
            f"{'worker':<9}{'requests':>9}{'ok':>8}  {'errors by kind':<40}"
            f"{'p50 ms':>8}{'p99 ms':>9}{'max ms':>9}  RSS (first ok -> end)"
        )
        print(head)
        print("-" * len(head))
        for worker in [*LANGUAGES, "cli"]:
            mine = [r for r in self.records if r.worker.split("#")[0] == worker]
            errors: dict[str, int] = {}
            for r in mine:
                if not r.ok:
                    errors[r.kind] = errors.get(r.kind, 0) + 1
            lat = [(r.t1 - r.t0) * 1000 for r in mine]
            kinds = ", ".join(f"{k}={n}" for k, n in sorted(errors.items())) or "-"
            rss = []
            for p in self.procs:
                if p.slot == worker and p.rss_first_kb is not None and p.rss_last_kb is not None:
                    grow = (p.rss_last_kb - p.rss_first_kb) / 1024
                    rss.append(
                        f"{p.name} {p.rss_first_kb / 1024:.1f}->"
                        f"{p.rss_last_kb / 1024:.1f} MiB ({grow:+.1f})"
                    )
            if worker == "cli":
                rss = [f"{self.cli_runs} processes"]
            print(
                f"{worker:<9}{len(mine):>9}{sum(r.ok for r in mine):>8}  {kinds:<40}"
                f"{percentile(lat, 50):>8.1f}{percentile(lat, 99):>9.1f}"
                f"{max(lat, default=0):>9.0f}  {'; '.join(rss) or '-'}"
            )
        total = self.records
        print(
            f"{'all':<9}{len(total):>9}{sum(r.ok for r in total):>8}  "
            f"{sum(not r.ok for r in total)} errors, "
            f"{sum(bool(r.explained_by) for r in total)} explained"
        )
        print("faults (error kinds each may explain: errors it explained):")
        t0 = self.windows[0].start if self.windows else 0
        for w in self.windows:
            kinds = ",".join(sorted(w.explains)) or "none"
            note = f"; {w.note}" if w.note else ""
            print(
                f"  +{w.start - t0:5.1f}s..+{w.end - t0:5.1f}s  {w.name} "
                f"({kinds}: {w.explained}){note}"
            )
        slowest = sorted(self.records, key=lambda r: r.t0 - r.t1)[:3]
        print(
            "slowest requests: "
            + "; ".join(
                f"{r.worker} +{r.t0 - t0:.1f}s..+{r.t1 - t0:.1f}s ({'ok' if r.ok else r.kind})"
                for r in slowest
            )
        )
        if self.spanning:
            print(
                f"unauthorized across two expiries/revocations during one request (the retry's "
                f"token expired too): {self.spanning}"
            )
        timeline = ", ".join(
            f"+{at - t0:.1f}s:{count}" for at, count in self.login_times if count > 0
        )
        print(f"login count over time (200 ms samples): {timeline}")
        fresh = "used the store's token, no login" if self.converged_ok else "FAILED (below)"
        print(f"afterwards: a fresh `authtoken request` {fresh}")
        verdict = "ok" if self.logins <= self.floor + self.bound else "ABOVE"
        print(
            f"logins: {self.logins} (attempts {self.attempts}); floor {self.floor} = 1 + "
            f"{len(self.floor_events)} expiries/revocations; bound +{self.bound} "
            f"({'; '.join(self.bound_events) or 'none'}) -> {verdict}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_S", "60")))
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--lib", required=True, help="libauthtoken.so for PHP and Ruby")
    parser.add_argument("--c-worker", required=True)
    parser.add_argument("--python", required=True, help="a Python with the authtoken wheel")
    parser.add_argument("--php", default="php")
    parser.add_argument("--ruby", default="ruby")
    parser.add_argument(
        "--redis-server",
        default=os.environ.get("AUTHTOKEN_REDIS_SERVER")
        or shutil.which("redis-server")
        or "redis-server",
    )
    args = parser.parse_args()
    for what, path in [
        ("emulator", args.emulator),
        ("CLI", args.cli),
        ("C worker", args.c_worker),
        ("library", args.lib),
    ]:
        if not Path(path).exists():
            raise SoakError(f"the {what} {path} does not exist (make soak builds it)")
    return args


class SentinelStarter:
    """Starts the Sentinel set on a thread, so that it converges while the file phase runs."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.result: Sentinels | BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(binary, workdir), daemon=True)
        self.thread.start()

    def _run(self, binary: str, workdir: Path) -> None:
        try:
            self.result = Sentinels(binary, workdir)
        except BaseException as e:  # handed to the main thread by get()
            self.result = e

    def get(self) -> Sentinels:
        self.thread.join(90)
        if self.result is None:
            raise SoakError("the Redis Sentinel set did not start within 90 s")
        if isinstance(self.result, BaseException):
            raise SoakError(f"the Redis Sentinel set did not start: {self.result}")
        return self.result

    def stop(self) -> None:
        self.thread.join(90)
        if isinstance(self.result, Sentinels):
            self.result.stop()


def soak(args: argparse.Namespace, workdir: Path) -> list[str]:
    """Runs both phases, prints their tables; returns what failed."""
    tools = Tools(
        args.root.resolve(), args.python, args.php, args.ruby, args.c_worker, args.cli, args.lib
    )
    half = args.seconds / 2
    emu = Emulator(args.emulator, workdir)
    phases: list[Phase] = []
    starter = SentinelStarter(args.redis_server, workdir)
    try:
        print(
            f"soak: {args.seconds:.0f} s in two phases; emulator {emu.root}; "
            f"workers {', '.join(LANGUAGES)} + the CLI",
            flush=True,
        )
        phases.append(Phase("file", tools, emu, workdir, seconds=half, store={}, sentinels=None))
        phases[0].run()
        sentinels = starter.get()
        store = {"cache": sentinels.url(), "redis_key_prefix": "soak:", "connect_timeout_ms": 500}
        phases.append(
            Phase("redis", tools, emu, workdir, seconds=half, store=store, sentinels=sentinels)
        )
        phases[1].run()
        problems = []
        if emu.proc.poll() is not None:
            problems.append(f"crash: the emulator exited {emu.proc.returncode}")
        for phase in phases:
            phase.judge()
            phase.report()
            problems += [f"{phase.name}: {p}" for p in phase.problems]
        return problems
    finally:
        for phase in phases:
            phase.kill_all()
        starter.stop()
        emu.stop()


def main() -> int:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="authtoken-soak.") as tmp:
        problems = soak(args, Path(tmp))
    print()
    for p in problems:
        print(f"soak: FAILED: {p}")
    if problems:
        return 1
    print(
        f"soak: passed ({args.seconds:.0f} s): no crash, every error explained by its fault, "
        "logins within floor + bound"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SoakError as e:
        print(f"soak: cannot run: {e}", file=sys.stderr)
        sys.exit(2)
