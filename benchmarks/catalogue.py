"""Benchmark: index generated, realistic .warc.gz files with `archiver catalogue build` and with
cdxj-indexer, on the same files in the same run.

    python benchmarks/catalogue.py                                  # about 1 GB, 3 runs of each
    python benchmarks/catalogue.py --size-mb 200 --keep /tmp/warcs-200

The WARCs (benchmarks/warcgen.py) look like a news crawl: article pages (50-120 KB of HTML, mostly
site chrome around prose), their images (incompressible bytes), stylesheets, redirects, 404s,
revisits, request records and a capture log; one gzip member per record, 100 MB per file.
Each tool runs as its own process, the tools alternating within each repeat, so that both see the
same page cache and machine load. For each we report the median wall time, the median records
per second (WARC records in the files / wall time) and the median peak RSS (ru_maxrss of the
child from wait4), then archiver's speed ratio (cdxj-indexer time / archiver time: above 1 means
archiver is faster) and RSS ratio.

"archiver --part-rows 5000" writes a sorted part every 5,000 rows: run at two sizes, its RSS,
flat while the number of records grows, shows that memory is bounded by --part-rows (default
100,000), not by the number of records. "archiver catalogue compact" then merges those parts
into one sorted file (streaming k-way merge); its time and RSS are reported too.

cdxj-indexer is a benchmark-only peer: `pip install -e .[bench]` (or `pip install cdxj-indexer`).
This process imports neither pyarrow nor warcio before the children are done, so that a child's
RSS (a copy of this process until exec) is the indexer's own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
GENERATOR = Path(__file__).with_name("warcgen.py")


def cdxj_indexer() -> str:
    beside = Path(PY).with_name("cdxj-indexer")
    found = str(beside) if beside.exists() else shutil.which("cdxj-indexer")
    if not found:
        raise SystemExit("cdxj-indexer is not installed: it is the peer this benchmark compares with.\n"
                         f"Install it with `{PY} -m pip install cdxj-indexer` (or the `bench` extra: "
                         "pip install -e '.[bench]').")
    return found


def generate(folder: Path, size_mb: int) -> dict:
    """Generate about *size_mb* MB of .warc.gz into *folder* (reused when already there)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = folder / "generated.json"
    if stamp.exists():
        facts = json.loads(stamp.read_text())
        if facts.get("size_mb") == size_mb:
            return facts
    for old in folder.glob("*.warc.gz"):
        old.unlink()
    proc = subprocess.run([PY, str(GENERATOR), str(folder), str(size_mb * 1_000_000), "1"], check=True,
                          capture_output=True, text=True)
    facts = json.loads(proc.stdout) | {"size_mb": size_mb}
    stamp.write_text(json.dumps(facts))
    return facts


def run(cmd: list[str], env: dict) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read().decode(errors="replace")  # small: only error messages
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code != 0:
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({code}): {err[-2000:]}")
    return elapsed, usage.ru_maxrss * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1000, help="size of the generated WARCs (default 1000)")
    ap.add_argument("--repeats", type=int, default=3, help="runs of each tool (default 3)")
    ap.add_argument("--keep", type=Path, help="generate into (and reuse) this folder, not a temporary one")
    args = ap.parse_args()
    cdxj = cdxj_indexer()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="archiver-bench-warcs-"))
    work = Path(tempfile.mkdtemp(prefix="archiver-bench-out-"))
    try:
        t0 = time.perf_counter()
        facts = generate(folder, args.size_mb)
        warcs = sorted(str(p) for p in folder.glob("*.warc.gz"))
        records = facts["records"]
        print(f"data: {len(warcs)} files, {facts['bytes'] / 1e6:.0f} MB, {records} WARC records "
              f"(ready in {time.perf_counter() - t0:.0f} s)", flush=True)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        archiver = [PY, "-m", "archiver", "catalogue", "build", *warcs]
        tools = {
            "archiver catalogue build": lambda i: [*archiver, "--out", str(work / f"cat{i}")],
            "archiver --part-rows 5000": lambda i: [*archiver, "--out", str(work / f"small{i}"),
                                                    "--part-rows", "5000"],
            "cdxj-indexer": lambda i: [cdxj, *warcs, "-o", str(work / f"idx{i}.cdxj")],
        }
        compact = [PY, "-m", "archiver", "catalogue", "compact"]
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in tools}
        for i in range(args.repeats):
            for name, cmd in tools.items():
                results[name].append(run(cmd(i), env))
                secs, rss = results[name][-1]
                print(f"  run {i + 1} {name}: {secs:.2f} s, {rss / 2**20:.0f} MiB", flush=True)
        small_parts = len(list((work / "small0").glob("part-*.parquet")))
        merges = [run([*compact, str(work / f"small{i}")], env) for i in range(args.repeats)]
        with open(work / "idx0.cdxj", "rb") as fh:
            cdxj_lines = sum(1 for _ in fh)
        import pyarrow.dataset as ds  # only now: the children are done

        ours = ds.dataset(work / "cat0").count_rows()
        compacted = [ds.dataset(work / f"small{i}").count_rows() for i in range(args.repeats)]
        assert compacted == [ours] * args.repeats, (compacted, ours)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nrows: archiver {ours} (--part-rows 5000: {small_parts} parts), cdxj-indexer {cdxj_lines} "
          f"lines, from {records} WARC records in {facts['bytes'] / 1e6:.0f} MB")
    print("| tool | median s | median records/s | median peak RSS MiB |\n|---|---:|---:|---:|")
    medians = {}
    for name, runs in results.items():
        secs = statistics.median(r[0] for r in runs)
        rate = statistics.median(records / r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        medians[name] = (secs, rss)
        print(f"| {name} | {secs:.2f} | {rate:,.0f} | {rss / 2**20:.0f} |")
    secs = statistics.median(m[0] for m in merges)
    print(f"| archiver catalogue compact ({small_parts} parts -> 1) | {secs:.2f} | "
          f"{ours / secs:,.0f} rows/s | {statistics.median(m[1] for m in merges) / 2**20:.0f} |")
    ours_t, ours_rss = medians["archiver catalogue build"]
    peer_t, peer_rss = medians["cdxj-indexer"]
    print(f"\nspeed ratio (cdxj-indexer time / archiver time, >1 = archiver faster): {peer_t / ours_t:.2f}x")
    print(f"RSS ratio (archiver / cdxj-indexer): {ours_rss / peer_rss:.2f}")


if __name__ == "__main__":
    main()
