"""Benchmark: archiver package / validate against bagit-python make_bag / Bag.validate.

Same run, same machine, same payload, warm page cache; each measurement runs in a fresh
process so that CPU time and peak RSS belong to that tool alone (children included: bagit-python
uses a multiprocessing pool). Reports the median of --repeats runs and archiver/bagit ratios.

Full size from issue 6 (1 GiB: 1000 files of 1 MiB and 5000 of 4 KiB):
    python benchmarks/package.py
A quicker run on a busy machine:
    python benchmarks/package.py --big 250 --small 1250 --repeats 3
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Each task runs in a child: it prints {"wall": s, "cpu": s, "rss_kib": n} on its last line.
CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {repo!r})
task, args = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
if task == "archiver-package":
    from archiver.bag import package
    package(args[0], args[1], link=args[2] == "link", info=[("Source-Organization", "bench")])
elif task == "archiver-validate":
    from archiver.bag import validate
    report = validate(args[0], workers=2, content=args[1:] != ["no-content"])
    assert report.valid, [str(p) for p in report.errors][:5]
elif task == "bagit-make":
    import bagit
    bagit.make_bag(args[0], {{"Source-Organization": "bench"}}, processes=2, checksums=["sha256", "sha512"])
elif task == "archiver-open":
    from archiver.bag import list_manifests, read_bag_info, read_declaration, read_manifest, unsafe_reason
    read_declaration(args[0]); read_bag_info(args[0])
    n = sum(1 for m in list_manifests(args[0]).values()
            for e in read_manifest(m) if not unsafe_reason(e.path))
    assert n == int(args[1]), n
elif task == "bagit-open":
    import bagit
    bag = bagit.Bag(args[0])
    assert len(bag.entries) >= int(args[1])
elif task == "bagit-validate":
    import bagit
    assert bagit.Bag(args[0]).validate(processes=2)
wall = time.perf_counter() - start
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
print(json.dumps({{"wall": wall, "cpu": cpu, "rss_kib": max(me.ru_maxrss, kids.ru_maxrss)}}))
"""


def run_child(task: str, *args: str) -> dict:
    os.sync()  # untimed: no write-back left over from the previous step (or its clean-up)
    code = CHILD.format(repo=str(REPO))
    done = subprocess.run([sys.executable, "-c", code, task, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{task} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_payload(root: Path, big: int, small: int) -> int:
    """A collection: `big` files of 1 MiB under catalogue/, `small` of 4 KiB under logs/, one WARC."""
    sys.path.insert(0, str(REPO / "tests"))
    from bag_support import write_warc

    write_warc(root / "warc" / "bench.warc.gz")
    (root / "catalogue" / "records").mkdir(parents=True)
    (root / "logs").mkdir()
    total = (root / "warc" / "bench.warc.gz").stat().st_size
    for i in range(big):
        data = os.urandom(1 << 20)
        (root / "catalogue" / "records" / f"part-{i:05d}.bin").write_bytes(data)
        total += len(data)
    for i in range(small):
        data = os.urandom(4096)
        sub = root / "logs" / f"{i // 500:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"log-{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def make_warc_collection(root: Path, files: int) -> int:
    """A collection of *files* gzip WARCs, 400 HTML responses of ~100 KB each (news-like text)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    words = ("the minister said on tuesday that the agency would publish its report after the "
             "vote in parliament where opposition members asked for more time").split()
    rng = random.Random(6)
    texts = [" ".join(rng.choice(words) + str(rng.randrange(100)) for _ in range(14000)) for _ in range(16)]
    (root / "warc").mkdir(parents=True)
    for n in range(files):
        with open(root / "warc" / f"capture-{n:05d}.warc.gz", "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for i in range(400):
                body = f"<html><body><h1>{n}/{i}</h1><p>{rng.choice(texts)}</p></body></html>".encode()
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"http://127.0.0.1/{n}/{i}.html", "response", payload=io.BytesIO(body),
                    http_headers=headers))
    return sum(p.stat().st_size for p in (root / "warc").iterdir())


def make_manifest_only_bag(root: Path, entries: int) -> None:
    """A bag skeleton whose sha256 manifest lists *entries* files (not created): opening cost only."""
    (root / "data").mkdir(parents=True)
    (root / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    (root / "bag-info.txt").write_text(f"Payload-Oxum: {entries}.{entries}\n")
    digest = "0" * 64
    with open(root / "manifest-sha256.txt", "w", encoding="utf-8") as fh:
        for i in range(entries):
            fh.write(f"{digest}  data/{i // 1000:04d}/file-{i:07d}.bin\n")


def warm(root: Path) -> None:
    for dirpath, _, files in os.walk(root):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as fh:
                while fh.read(1 << 20):
                    pass


def clone(src: Path, dst: Path) -> None:
    """Hard-link clone: bagit-python's make_bag moves files, so it gets its own directory tree."""
    subprocess.run(["cp", "-al", str(src), str(dst)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--big", type=int, default=1000, help="files of 1 MiB (default 1000)")
    parser.add_argument("--small", type=int, default=5000, help="files of 4 KiB (default 5000)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None, help="scratch directory (default: a temp dir)")
    parser.add_argument("--warc-files", type=int, default=8,
                        help="gzip WARCs (~400 records each) for the content-check measurement (0 to skip)")
    parser.add_argument("--open-entries", type=int, default=1_000_000,
                        help="manifest entries for the bag-opening measurement (0 to skip)")
    opts = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="archiver-bench-", dir=opts.workdir))
    try:
        collection = work / "collection"
        octets = make_payload(collection, opts.big, opts.small)
        warm(collection)
        results: dict[str, list[dict]] = {k: [] for k in (
            "archiver package (copy)", "archiver package --link", "bagit make_bag",
            "archiver validate", "bagit Bag.validate")}
        for r in range(opts.repeats):
            for label, link in (("archiver package (copy)", "copy"), ("archiver package --link", "link")):
                out = work / f"bag-{link}-{r}"
                results[label].append(run_child("archiver-package", str(collection), str(out), link))
            bagit_dir = work / f"bagit-{r}"
            clone(collection, bagit_dir)
            results["bagit make_bag"].append(run_child("bagit-make", str(bagit_dir)))
            warm(work / f"bag-copy-{r}")
            results["archiver validate"].append(run_child("archiver-validate", str(work / f"bag-copy-{r}")))
            results["bagit Bag.validate"].append(run_child("bagit-validate", str(work / f"bag-copy-{r}")))
            for leftover in (work / f"bag-copy-{r}", work / f"bag-link-{r}", bagit_dir):
                shutil.rmtree(leftover)

        print(f"payload: {opts.big} x 1 MiB + {opts.small} x 4 KiB + 1 WARC = {octets / 1e6:.1f} MB; "
              f"sha256+sha512; {opts.repeats} repeats, medians; {os.cpu_count()} CPUs")
        print(f"{'tool':28} {'seconds':>8} {'MB/s':>8} {'CPU%':>6} {'peak RSS MiB':>13}")
        medians = {}
        for label, runs in results.items():
            wall = statistics.median(x["wall"] for x in runs)
            cpu = statistics.median(x["cpu"] / x["wall"] * 100 for x in runs)
            rss = max(x["rss_kib"] for x in runs) / 1024
            medians[label] = wall
            print(f"{label:28} {wall:8.2f} {octets / 1e6 / wall:8.0f} {cpu:6.0f} {rss:13.0f}")
        print(f"validate speed-up vs Bag.validate:        "
              f"{medians['bagit Bag.validate'] / medians['archiver validate']:.2f}x (target 2.5x)")
        print(f"package --link speed-up vs make_bag:      "
              f"{medians['bagit make_bag'] / medians['archiver package --link']:.2f}x (target 2.5x)")
        print(f"package (copy) speed-up vs make_bag:      "
              f"{medians['bagit make_bag'] / medians['archiver package (copy)']:.2f}x (target 2x)")
        if opts.warc_files:
            warcs = work / "warc-collection"
            warc_octets = make_warc_collection(warcs, opts.warc_files)
            run_child("archiver-package", str(warcs), str(work / "warc-bag"), "copy")
            warm(work / "warc-bag")
            timings = {label: statistics.median(run_child(*task)["wall"] for _ in range(opts.repeats))
                       for label, task in (
                           ("archiver validate", ("archiver-validate", str(work / "warc-bag"))),
                           ("archiver validate --no-content",
                            ("archiver-validate", str(work / "warc-bag"), "no-content")),
                           ("bagit Bag.validate", ("bagit-validate", str(work / "warc-bag"))))}
            print(f"WARC-heavy bag: {opts.warc_files} gzip WARCs, {warc_octets / 1e6:.1f} MB; medians: "
                  + "; ".join(f"{label} {t:.2f} s" for label, t in timings.items()))
        if opts.open_entries:
            skeleton = work / "manifest-only"
            make_manifest_only_bag(skeleton, opts.open_entries)
            ours = run_child("archiver-open", str(skeleton), str(opts.open_entries))
            theirs = run_child("bagit-open", str(skeleton), str(opts.open_entries))
            print(f"open a bag of {opts.open_entries} manifest entries: archiver (declaration, bag-info, "
                  f"every entry parsed and path-checked) {ours['wall']:.2f} s, "
                  f"{ours['rss_kib'] / 1024:.0f} MiB; "
                  f"bagit.Bag() {theirs['wall']:.2f} s, {theirs['rss_kib'] / 1024:.0f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
