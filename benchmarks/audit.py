"""Benchmark: `archiver audit` against bagit-python's `Bag.validate(processes=2)` on one store.

A store of BAGS bags holding SIZE MiB in all (by default 20 bags, 1 GiB: per bag 15/16 of the
bytes in 1 MiB files and the rest in 4 KiB files), each with sha256 and sha512 manifests, is
built once (`archiver package --link`, not timed), read once by an untimed bagit run to warm the
page cache, then audited REPEATS times by each tool in the same run, alternating, each as its
own process:

  archiver   `archiver audit STORE --log TMP` (every manifest: sha256 + sha512)
  archiver1  `archiver audit STORE --log TMP --algorithm sha256`
  bagit      `bagit.Bag(bag).validate(processes=2)` for each bag
  archiver-lib, archiver1-lib  the same audits through `archiver.audit.audit_paths`, which also
             report the time of the work alone (without Python start-up and imports, ~0.35 s)

Reported: median wall time, MB/s (10^6 bytes of payload per second), CPU% (user+sys over wall),
CPU seconds (less sensitive than wall time to other jobs on a shared machine) and peak RSS of
each, and archiver's speed-up over bagit. Targets (issue 7): archiver >= 2.5x bagit;
archiver1 >= 1 GB/s from a warm page cache on a 2-core machine.

    python benchmarks/audit.py                          # full size: 20 bags, 1 GiB, 3 repeats
    python benchmarks/audit.py --size-mib 256 --repeats 5 --store /tmp/audit-store
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIG, SMALL = 1 << 20, 4096


def build_store(root: Path, bags: int, size_mib: int) -> tuple[Path, int]:
    """Make ROOT/store (unless already there) with `archiver package --link`; return it and its size."""
    sys.path.insert(0, str(REPO))
    from archiver.bag import package

    per_bag = size_mib * (1 << 20) // bags
    n_big = max(1, (per_bag * 15 // 16) // BIG)
    n_small = max(0, (per_bag - n_big * BIG) // SMALL)
    store = root / "store"
    marker = root / f".complete-{bags}-{size_mib}"
    if not marker.exists():
        shutil.rmtree(root / "collections", ignore_errors=True)
        shutil.rmtree(store, ignore_errors=True)
        for b in range(bags):
            collection = root / "collections" / f"bag-{b:03d}"
            for i in range(n_big):
                path = collection / "warc" / f"capture-{i:05d}.warc.gz"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(os.urandom(BIG))
            for i in range(n_small):
                path = collection / "metadata" / "articles" / f"{i // 200:03d}" / f"article-{i:05d}.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(os.urandom(SMALL))
            package(collection, store / collection.name, link=True)
        marker.write_text("")
    return store, bags * (n_big * BIG + n_small * SMALL)


def timed(command: list[str]) -> tuple[float, float, int, float | None]:
    """Run *command*; return (wall seconds, CPU seconds, peak RSS bytes, seconds it reported).

    wait4's usage covers the process and the children it reaped (bagit's pool workers), and its
    peak RSS is the largest of them. A script that prints "work SECONDS" reports the time of its
    work without interpreter start-up and imports.
    """
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if code != 0:
            raise SystemExit(f"{command[:4]} exited {code}: {err.read().decode()}")
        lines = out.read().decode().splitlines()
        work = [float(line.split()[1]) for line in lines if line.startswith("work ")]
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, (work[0] if work else None)


BAGIT_SCRIPT = """
import sys, time, bagit, pathlib
start = time.perf_counter()
store = pathlib.Path(sys.argv[1])
for bag in sorted(p for p in store.iterdir() if (p / "bagit.txt").is_file()):
    bagit.Bag(str(bag)).validate(processes=2)
print("work", time.perf_counter() - start)
"""

# The library call the CLI makes, timed after the imports (what a long-running service would see).
ARCHIVER_SCRIPT = """
import sys, time, pathlib
from archiver.audit import audit_paths
import archiver.audit.events, archiver.schemas, pyarrow.parquet  # noqa: F401  (already imported)
start = time.perf_counter()
run = audit_paths([pathlib.Path(sys.argv[1])], log=pathlib.Path(sys.argv[2]), algorithm=sys.argv[3] or None)
assert run.ok
print("work", time.perf_counter() - start)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bags", type=int, default=20)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--store", type=Path, default=None,
                        help="a folder to build the store in and keep it between runs")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="archiver-audit-bench-"))
    try:
        store, payload = build_store(args.store or tmp, args.bags, args.size_mib)
        py = sys.executable
        tools = {
            "archiver": lambda i: [py, "-m", "archiver", "audit", str(store), "--log", str(tmp / f"log{i}")],
            "archiver1": lambda i: [py, "-m", "archiver", "audit", str(store), "--log", str(tmp / f"log{i}"),
                                    "--algorithm", "sha256"],
            "bagit": lambda i: [py, "-c", BAGIT_SCRIPT, str(store)],
            "archiver-lib": lambda i: [py, "-c", ARCHIVER_SCRIPT, str(store), str(tmp / f"log{i}"), ""],
            "archiver1-lib": lambda i: [py, "-c", ARCHIVER_SCRIPT, str(store), str(tmp / f"log{i}"),
                                        "sha256"],
        }
        timed(tools["bagit"]("warm-up"))   # untimed: reads every file, so the page cache is warm
        results: dict[str, list[tuple[float, float, int, float | None]]] = {name: [] for name in tools}
        for i in range(args.repeats):
            for name, command in tools.items():
                results[name].append(timed(command(f"{name}-{i}")))
        print(f"store: {args.bags} bags, {payload / 2**20:.0f} MiB payload, {os.cpu_count()} CPUs, "
              f"{args.repeats} repeats, warm page cache; medians:")
        medians = {}
        for name, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] / r[0] for r in runs) * 100
            rss = max(r[2] for r in runs)
            medians[name] = wall
            walls = ", ".join(f"{r[0]:.2f}" for r in runs)
            cpu_s = statistics.median(r[1] for r in runs)
            works = [r[3] for r in runs if r[3] is not None]
            work = f"  work {statistics.median(works):.2f} s" if works else ""
            print(f"  {name:<13} {wall:6.2f} s {payload / wall / 1e6:6.0f} MB/s  CPU {cpu:4.0f}% "
                  f"({cpu_s:5.2f} CPU-s)  peak RSS {rss / 2**20:4.0f} MiB{work}   (runs: {walls})")
            if works:
                medians[name + " work"] = statistics.median(works)
        for name, label in (("archiver", "(sha256+sha512)"), ("archiver1", "--algorithm sha256")):
            print(f"speed-up {name} {label} over bagit: {medians['bagit'] / medians[name]:.2f}x")
        for name in ("archiver-lib", "archiver1-lib"):
            ratio = medians["bagit work"] / medians[name + " work"]
            rate = payload / medians[name + " work"] / 1e6
            print(f"after imports: {name} {rate:.0f} MB/s, {ratio:.2f}x bagit's work time")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
