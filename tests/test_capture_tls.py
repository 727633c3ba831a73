"""Capturing over https: the same exact records as over http, and the certificate checks an
archivist controls (--ca-certificate, --no-check-certificate).

The servers run on 127.0.0.1 with certificates from a throwaway CA made by trustme.
"""

from __future__ import annotations

import json
import ssl

import pytest
import trustme
from capture_support import INDEX, article, assert_warcio_accepts, records, serve

FAST = ("--delay", "0", "--timeout", "5", "--quiet")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_tls(ca: trustme.CA, name: str = "127.0.0.1") -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(name).configure_cert(context)
    return context


def warcs(coll):
    return sorted(coll.rglob("*.warc.gz"))


def test_an_https_site_is_captured_exactly_with_the_archivists_ca(tmp_path, invoke, ca):
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    coll = tmp_path / "coll"
    with serve(tls=server_tls(ca)) as (base, site):
        result = invoke("capture", f"{base}/", "--collection", coll, "--depth", "1",
                        "--ca-certificate", ca_file, *FAST)
    assert result.exit_code == 0, result.output
    assert base.startswith("https://127.0.0.1:")
    got = {(kind, h.get("WARC-Target-URI")): (h, block) for w in warcs(coll) for kind, h, block in records(w)}
    headers, block = got["response", f"{base}/"]
    assert block.endswith(INDEX.encode()) and block.startswith(b"HTTP/1.1 200")
    assert headers["WARC-IP-Address"] == "127.0.0.1"
    assert got["response", f"{base}/news/one.html"][1].endswith(article("One"))
    assert ("response", f"{base}/private/secret.html") not in got  # robots.txt, read over https
    assert site.hits["/robots.txt"] == 1 and site.hits["/private/secret.html"] == 0
    assert_warcio_accepts(warcs(coll))


@pytest.mark.parametrize("cert_name, because", [
    ("127.0.0.1", "unable to get local issuer certificate"),  # a CA the system does not know
    ("news.example", "IP address mismatch"),  # a trusted CA, but a certificate for another name
])
def test_an_untrusted_certificate_fails_at_once_with_its_reason(tmp_path, invoke, ca, cert_name, because):
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    trust = ("--ca-certificate", ca_file) if cert_name != "127.0.0.1" else ()
    coll = tmp_path / "coll"
    with serve(tls=server_tls(ca, cert_name)) as (base, site):
        result = invoke("capture", f"{base}/", "--collection", coll, "--ignore-robots", "--json",
                        "--retries", "3", *trust, *FAST[:-1])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["failed_seeds"] == [f"{base}/"]
    reason = summary["failures"][0]["reason"]
    assert reason.startswith("tls: certificate verify failed: ") and because in reason, reason
    assert reason.endswith(f"({base[8:]})")
    assert site.connections == 1  # not retried: the same certificate would fail again
    assert site.hits == {}


def test_no_check_certificate_captures_and_the_warcinfo_says_so(tmp_path, invoke, ca):
    coll = tmp_path / "coll"
    with serve(tls=server_tls(ca)) as (base, site):
        result = invoke("capture", f"{base}/news/one.html", "--collection", coll,
                        "--no-check-certificate", *FAST)
    assert result.exit_code == 0, result.output
    found = [(kind, h, block) for w in warcs(coll) for kind, h, block in records(w)]
    assert any(k == "response" and h["WARC-Target-URI"] == f"{base}/news/one.html"
               and b.endswith(article("One")) for k, h, b in found)
    info = next(block for kind, _, block in found if kind == "warcinfo").decode()
    settings = json.loads(info.split("archiver-capture-settings: ", 1)[1].split("\r\n", 1)[0])
    assert settings["check_certificate"] is False and settings["ca_certificate"] is None
    assert_warcio_accepts(warcs(coll))


@pytest.mark.parametrize("make, message", [
    (None, "No such file or directory"),
    (lambda p: p.write_text("not a certificate\n"), "no PEM CA certificate in it"),
    (lambda p: p.write_bytes(b""), "no PEM CA certificate in it"),
])
def test_a_ca_file_that_cannot_be_used_is_one_error_line_and_nothing_is_made(tmp_path, invoke, make, message):
    ca_file = tmp_path / "ca.pem"
    if make:
        make(ca_file)
    coll = tmp_path / "coll"
    result = invoke("capture", "https://127.0.0.1:9/", "--collection", coll,
                    "--ca-certificate", ca_file, *FAST)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"archiver: error: --ca-certificate {ca_file}: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not coll.exists()


def test_ca_certificate_and_no_check_certificate_together_are_refused(tmp_path, invoke, ca):
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    result = invoke("capture", "https://127.0.0.1:9/", "--collection", tmp_path / "coll",
                    "--ca-certificate", ca_file, "--no-check-certificate", *FAST)
    assert result.exit_code == 2 and "contradict" in result.stderr
    assert not (tmp_path / "coll").exists()
