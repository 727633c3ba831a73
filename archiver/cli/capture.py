"""`archiver capture`: parse options, call archiver.capture.capture, print the outcome."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from archiver.cli._common import exit_with, is_terminal
from archiver.errors import EXIT_INVALID


@click.command("capture")
@click.argument("urls", nargs=-1)
@click.option("--sitemap", "sitemaps", multiple=True, metavar="URL",
              help="Also capture the pages this sitemap (or sitemap index) lists; repeatable.")
@click.option("--seeds", "seeds_file", type=click.Path(dir_okay=False, path_type=Path),
              help="File of seed URLs, one a line (# comments and blank lines ignored).")
@click.option("--collection", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Collection directory (created if missing).")
@click.option("--depth", type=click.IntRange(min=0), default=0, show_default=True,
              help="Follow links this many hops from the seeds.")
@click.option("--scope", type=click.Choice(["page", "host", "domain", "prefix"]), default="host",
              show_default=True, help="Which followed links are in bounds, relative to the seeds.")
@click.option("--include", multiple=True, metavar="RE",
              help="Only follow links matching this regular expression (repeatable).")
@click.option("--exclude", multiple=True, metavar="RE",
              help="Never fetch URLs matching this regular expression (repeatable).")
@click.option("--max-time", metavar="DURATION",
              help="Start no new fetch after this long (90s, 45m, 2h); what is in flight finishes, and "
                   "the same command again goes on.")
@click.option("--max-pages", type=click.IntRange(min=1), metavar="N",
              help="Take at most N pages in a run, the seeds given included (further pages are not "
                   "followed; requisites of the pages taken still are).")
@click.option("--no-requisites", is_flag=True, help="Do not fetch images, stylesheets and scripts of pages.")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt.")
@click.option("--user-agent", metavar="UA", help="User-Agent header; include a contact address.")
@click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Minimum seconds between two fetches from one host.")
@click.option("--workers", type=click.IntRange(min=1), default=4, show_default=True,
              help="Concurrent fetches in total.")
@click.option("--per-host", type=click.IntRange(min=1), default=1, show_default=True,
              help="Concurrent fetches per host.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds without data before a fetch fails.")
@click.option("--max-fetch-time", metavar="DURATION", default="20m", show_default=True,
              help="Cut a response still arriving after this long (a live stream); what came is kept, "
                   "marked WARC-Truncated: time.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Further attempts after connection errors, timeouts, 429 and 5xx.")
@click.option("--max-size", type=click.IntRange(min=0), metavar="BYTES",
              help="Keep at most this many body bytes per response (marked WARC-Truncated).")
@click.option("--warc-size", type=click.IntRange(min=1), default=1_000_000_000, show_default=True,
              metavar="BYTES", help="Start a new WARC file when one reaches this size.")
@click.option("--digest", type=click.Choice(["sha256", "sha1"]), default="sha256", show_default=True,
              help="Digest algorithm of WARC-Block-Digest and WARC-Payload-Digest.")
@click.option("--prefix", default="archiver", show_default=True, help="WARC file name prefix.")
@click.option("--ca-certificate", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also trust the CA certificates in this PEM file for https.")
@click.option("--no-cookies", is_flag=True,
              help="Send no cookies (by default, those that servers set are kept for the run).")
@click.option("--no-check-certificate", is_flag=True,
              help="Do not verify https certificates (capture sites with expired or self-signed ones).")
@click.option("--tls-min-version", type=click.Choice(["1.0", "1.1", "1.2", "1.3"]), default="1.2",
              show_default=True, help="Oldest TLS version accepted (1.0 or 1.1 for old https servers).")
@click.option("--recapture", is_flag=True, help="Fetch again URLs already captured in this collection.")
@click.option("--recapture-seeds", is_flag=True,
              help="Fetch the seeds again even if captured before (today's front page); what they "
                   "link to that is already captured is still skipped.")
@click.option("--quiet", is_flag=True, help="No progress line and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def capture(urls, sitemaps, seeds_file, collection, depth, scope, include, exclude, max_time, max_pages,
            no_requisites, ignore_robots, user_agent, delay, workers, per_host, timeout, max_fetch_time,
            retries, max_size, warc_size, digest, prefix, ca_certificate, no_cookies, no_check_certificate,
            tls_min_version, recapture, recapture_seeds, quiet, as_json):
    """Capture pages (and their images, stylesheets and scripts) into WARC files in a collection.

    Seeds come from URL arguments, --seeds FILE and the pages --sitemap lists. Rerunning the
    same command resumes: URLs already captured in the collection are not fetched again unless
    --recapture (a sitemap is fetched on every run; the seeds too with --recapture-seeds).
    Exits 1 if any seed could not be captured (after capturing all the others).

    \b
    Example:
      archiver capture https://news.example.org/ --collection my-coll --depth 1 --delay 0.5
    """
    from archiver.capture import CaptureOptions
    from archiver.capture import capture as run_capture
    from archiver.capture.options import DEFAULT_USER_AGENT
    from archiver.capture.progress import ProgressLine, summary
    from archiver.capture.seeds import check_seeds, read_seed_file
    from archiver.errors import ArchiverError
    from archiver.units import parse_duration

    seconds = parse_duration(max_time) if max_time is not None else None
    fetch_seconds = parse_duration(max_fetch_time)
    seeds = check_seeds(urls)
    if seeds_file is not None:
        seeds += [s for s in read_seed_file(seeds_file) if s not in seeds]
    if not seeds and not sitemaps:
        raise ArchiverError("no seeds: give URLs, --seeds FILE or --sitemap URL")
    options = CaptureOptions(
        depth=depth, scope=scope, include=tuple(include), exclude=tuple(exclude), max_pages=max_pages,
        max_time=seconds,
        requisites=not no_requisites, ignore_robots=ignore_robots,
        user_agent=user_agent or DEFAULT_USER_AGENT, delay=delay, workers=workers, per_host=per_host,
        timeout=timeout, max_fetch_time=fetch_seconds, retries=retries, max_size=max_size,
        warc_size=warc_size, digest=digest,
        recapture=recapture, recapture_seeds=recapture_seeds, prefix=prefix, ca_certificate=ca_certificate,
        check_certificate=not no_check_certificate, cookies=not no_cookies,
        tls_min_version=tls_min_version, sitemaps=tuple(sitemaps))
    from archiver.runcatalogue import RunCatalogue

    line = ProgressLine() if (not quiet and not as_json and is_terminal()) else None
    with RunCatalogue(collection) as run_catalogue:  # the run's records part, made as it writes
        try:
            result = run_capture(seeds, collection, options, progress=line, on_written=run_catalogue.add)
        finally:
            if line is not None:
                line.clear()
        run_catalogue.finish(result)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    elif not quiet:
        click.echo(summary(result))
    if result.failed_seeds:
        names = ", ".join(result.failed_seeds)
        click.echo(f"archiver: error: {len(result.failed_seeds)} seed(s) not captured: {names}", err=True)
        sys.stderr.flush()
        exit_with(EXIT_INVALID)
