"""The three scenarios of `make bench` beside the bare view (scripts/bench.py runs them).

1. Crawl: distinct addresses (published claim pages and API details, sources,
   meetings, agreements, list pages 2-100 in each sort) in a shuffled list longer than
   the run can fetch, walked in order at 8 connections for CRAWL_SECONDS: every
   request a miss, each address fetched once (the table says how many).
2. Edits: 60 hot addresses (home, lists, feeds, the newest claims and their API
   details) at 16 connections, quiet, then with a reporter saving a draft every second,
   then with an editor publishing a correction every second (through the services, in
   this process, on the same database).
3. Each beside the bare view of the same mean size, at the same connections, in the
   same run.

wrk drives the load with a Lua script that walks a file of addresses in order, each
thread its share (a thread that stops early leaves its connections open, and gunicorn's
sync workers then wait on them: so the crawl runs for a time, not to the list's end).
"""

from __future__ import annotations

import json
import random
import subprocess
import threading
import time
from pathlib import Path

WALK = """
local paths = {}
local threads, counter = {}, 0
local file = "%(file)s"

setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

init = function(args)
  for line in io.lines(file) do paths[#paths + 1] = line end
  step = %(threads)d
  position = id
  done = 0
end

request = function()
  local path = paths[position]
  if path == nil then position = id; path = paths[position] end
  position = position + step
  return wrk.format("GET", path, {["Host"] = "127.0.0.1"})
end

response = function(status, headers, body)
  done = done + 1
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""
THREADS = 2


def _wrk(base: str, paths: list[str], workdir: Path, name: str, *, connections: int, seconds: float) -> dict:
    listing = workdir / f"{name}.paths"
    listing.write_text("\n".join(paths) + "\n")
    script = workdir / f"{name}.lua"
    script.write_text(WALK % {"file": listing, "threads": THREADS})
    out = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
         "-s", str(script), base],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    raw = json.loads(next(line for line in out.stdout.splitlines() if line.startswith("BENCH_JSON "))[11:])
    errors = {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]}
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "requests": raw["requests"],
        "mean_bytes": round(raw["bytes"] / max(1, raw["requests"])),
        "errors": errors,
    }


def crawl_addresses(limit: int) -> list[str]:
    """Distinct addresses of published records and deep list pages, in a shuffled order."""
    from tracker.desk.models import Agreement, Claim, Meeting, Source
    from tracker.public.lists import AGREEMENTS, CLAIMS, MEETINGS, SOURCES

    paths = []
    for spec, base in ((CLAIMS, "/claims/"), (SOURCES, "/sources/"), (AGREEMENTS, "/agreements/"),
                       (MEETINGS, "/meetings/")):  # fmt: skip
        for sort in spec.sorts:
            paths += [f"{base}?sort={sort}&page={page}" for page in range(2, 101)]
    claims = list(Claim.objects.published().order_by("-pk").values_list("slug", flat=True)[: limit // 2])
    paths += [f"/claims/{slug}/" for slug in claims[: len(claims) // 2]]
    paths += [f"/api/v1/claims/{slug}/" for slug in claims[len(claims) // 2 :]]
    for model, base in ((Source, "/sources/"), (Meeting, "/meetings/"), (Agreement, "/agreements/")):
        paths += [f"{base}{slug}/" for slug in model.objects.published().values_list("slug", flat=True)[:1500]]
    paths = list(dict.fromkeys(paths))[:limit]
    random.Random(30).shuffle(paths)
    return paths


def hot_addresses() -> list[str]:
    from tracker.desk.models import Claim

    fixed = ["/", "/claims/", "/claims/?sort=claimed", "/claims/?verdict=inaccurate", "/sources/", "/agreements/",
             "/meetings/", "/corrections/", "/feeds/verdicts/", "/feeds/corrections/", "/feeds/agreements/",
             "/api/v1/claims/", "/api/v1/sources/", "/api/v1/agreements/", "/api/v1/meetings/",
             "/api/v1/corrections/", "/sitemap.xml", "/methodology/", "/claims/?page=2", "/api/v1/people/"]  # fmt: skip
    newest = Claim.objects.published().order_by("-verdict_published_at").values_list("slug", flat=True)[:20]
    return fixed + [f"/claims/{slug}/" for slug in newest] + [f"/api/v1/claims/{slug}/" for slug in newest]


class Editing(threading.Thread):
    """A member of the desk making one change a second through the services."""

    def __init__(self, kind: str):
        super().__init__(daemon=True)
        self.kind, self.stop, self.made, self.refused = kind, threading.Event(), 0, 0

    def run(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db import close_old_connections

        from tracker.desk import services
        from tracker.desk.choices import State
        from tracker.desk.models import Claim, Source

        users = get_user_model().objects
        rng = random.Random(7)
        if self.kind == "draft":
            reporter = users.filter(groups__name="Reporter").first()
            source = Source.objects.published().first()
            draft = services.claim_create_draft(by=reporter, source=source, quote=source.text[:40],
                                                statement="A draft the bench saves every second.")  # fmt: skip
        editors = list(users.filter(groups__name="Editor"))
        published = list(Claim.objects.published().values_list("pk", flat=True)[:5000])
        n = 0
        while not self.stop.wait(1.0):
            n += 1
            try:
                if self.kind == "draft":
                    statement = f"A draft the bench saved {n} times."
                    draft = services.claim_edit(
                        claim=Claim.objects.get(pk=draft.pk), by=reporter, fields={"statement": statement}
                    )
                else:
                    claim = Claim.objects.get(pk=rng.choice(published))
                    if claim.state != State.PUBLISHED:
                        continue
                    rationale = f"{claim.rationale[:200]} ({n})"
                    services.claim_correct(
                        claim=claim, by=rng.choice(editors), note=f"Bench correction {n}.", verdict=claim.verdict,
                        rationale=rationale,
                    )  # fmt: skip
                self.made += 1
            except services.WorkflowError:
                self.refused += 1
            close_old_connections()


def run(base: str, workdir: Path, bare, *, seconds: float, crawl_limit: int, crawl_seconds: float) -> dict:
    """Every scenario, each beside the bare view at its mean size. `bare(size, connections)`
    measures the bare view."""
    results = {}
    crawl = crawl_addresses(crawl_limit)
    load = _wrk(base, crawl, workdir, "crawl", connections=8, seconds=crawl_seconds)
    # Distinct while the run asked for fewer than the list holds (it walks it in order).
    load["addresses"] = min(load["requests"], len(crawl))
    load["wrapped"] = load["requests"] > len(crawl)
    results["crawl"] = {"load": load, "bare": bare(load["mean_bytes"], 8)}
    hot = hot_addresses()
    _wrk(base, hot, workdir, "warm", connections=16, seconds=5)
    for kind in ("quiet", "draft", "correction"):
        editing = Editing(kind) if kind != "quiet" else None
        if editing:
            editing.start()
            time.sleep(1.5)
        load = _wrk(base, hot, workdir, f"hot-{kind}", connections=16, seconds=seconds)
        if editing:
            editing.stop.set()
            editing.join()
            load["changes"], load["refused"] = editing.made, editing.refused
        results[f"hot, {kind}"] = {"load": load, "bare": bare(load["mean_bytes"], 16)}
    return results


def table(results: dict) -> str:
    lines = [
        "| scenario | req/s | p50 ms | p95 ms | bare req/s | % of bare | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    quiet = results.get("hot, quiet", {}).get("load", {}).get("rps")
    for name, row in results.items():
        load, bare = row["load"], row["bare"]
        notes = []
        if "addresses" in load:
            notes.append(
                f"{load['addresses']} distinct addresses" + (", then again (list too short)" if load["wrapped"] else "")
            )
        if "changes" in load:
            notes.append(f"{load['changes']} changes, {load['refused']} refused")
            if quiet:
                notes.append(f"{100 * load['rps'] / quiet:.0f}% of quiet")
        if load["errors"]:
            notes.append(f"errors {load['errors']}")
        ratio = f"{100 * load['rps'] / bare['rps']:.1f}" if bare.get("rps") else ""
        lines.append(f"| {name} | {load['rps']} | {load['p50_ms']} | {load['p95_ms']} | {bare.get('rps', '')} | "
                     f"{ratio} | {'; '.join(notes)} |")  # fmt: skip
    return "\n".join(lines)
