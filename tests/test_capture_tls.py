"""Capturing over https: the same exact records as over http, and the certificate checks an
archivist controls (--ca-certificate, --no-check-certificate).

The servers run on 127.0.0.1 with certificates from a throwaway CA made by trustme.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import socket
import ssl
import threading

import pytest
import trustme
from capture_support import INDEX, _send, article, assert_warcio_accepts, records, serve
from warcio.archiveiterator import ArchiveIterator

from archiver.capture import CaptureOptions, capture
from archiver.capture.tls import TLS_MIN_VERSIONS, cipher_suite_names, trust_for

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


def header_lists(coll) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """{(record type, target URI): WARC header fields in order, repeated ones included}."""
    out = {}
    for path in warcs(coll):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                out[rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI")] = rec.rec_headers.headers
    return out


def warcinfo_settings(coll) -> dict:
    info = next(block for w in warcs(coll) for kind, _, block in records(w) if kind == "warcinfo").decode()
    return json.loads(info.split("archiver-capture-settings: ", 1)[1].split("\r\n", 1)[0])


def protocol(fields) -> tuple[list[str], list[str]]:
    """(WARC-Protocol values, WARC-Cipher-Suite values) of a record's fields, in order."""
    return ([v for k, v in fields if k == "WARC-Protocol"],
            [v for k, v in fields if k == "WARC-Cipher-Suite"])


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
    settings = warcinfo_settings(coll)  # which CAs were trusted: the file's digest, not only its path
    assert settings["ca_certificate_sha256"] == "sha256:" + hashlib.sha256(ca_file.read_bytes()).hexdigest()
    # WARC-Protocol and WARC-Cipher-Suite (IIPC extensions): HTTP/1.1 over TLS 1.3, IANA suite name
    fields = header_lists(coll)
    suites = set(cipher_suite_names(ssl.create_default_context()).values())
    for kind, path in [("request", "/"), ("response", "/"), ("revisit", "/img/red-copy.png")]:
        versions, suite = protocol(fields[kind, base + path])
        assert versions == ["http/1.1", "tls/1.3"], (kind, path)
        assert len(suite) == 1 and suite[0].startswith("TLS_") and suite[0] in suites, (kind, path)


def test_a_tls_1_2_connection_is_recorded_with_its_iana_cipher_suite_name(tmp_path, invoke):
    ca_file = tmp_path / "ca.pem"
    ca = trustme.CA(key_type=trustme.KeyType.ECDSA)
    ca.cert_pem.write_to_path(str(ca_file))
    tls = server_tls(ca)
    tls.maximum_version = ssl.TLSVersion.TLSv1_2
    tls.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")  # one suite, so the name can be checked
    coll = tmp_path / "coll"
    with serve(tls=tls) as (base, _):
        result = invoke("capture", f"{base}/news/one.html", "--collection", coll, "--no-requisites",
                        "--ignore-robots", "--ca-certificate", ca_file, *FAST)
    assert result.exit_code == 0, result.output
    versions, suite = protocol(header_lists(coll)["response", f"{base}/news/one.html"])
    assert versions == ["http/1.1", "tls/1.2"]
    # OpenSSL calls it ECDHE-ECDSA-AES128-GCM-SHA256; the field takes the IANA name
    assert suite == ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]


@pytest.mark.parametrize("min_version", list(TLS_MIN_VERSIONS))
def test_every_suite_our_client_offers_has_its_iana_name(min_version):
    trust = trust_for(min_version=min_version)
    for context in filter(None, (trust.context, trust.legacy)):
        offered = {c["name"] for c in context.get_ciphers()}
        assert set(cipher_suite_names(context)) == offered
    # below 1.2, a legacy context offers what old servers speak; the usual one is Python's own
    assert (trust.legacy is not None) == (min_version in ("1.0", "1.1"))
    if trust.legacy is not None:
        assert {"ECDHE-RSA-AES128-SHA", "AES128-SHA"} <= {c["name"] for c in trust.legacy.get_ciphers()}
    usual = {c["name"] for c in ssl.create_default_context().get_ciphers()}
    assert {c["name"] for c in trust.context.get_ciphers()} == usual


def _old_server(version=None, ciphers="@SECLEVEL=0:AES128-SHA"):
    """(CA file contents, server context) of an old IIS or Apache: an RSA certificate, RSA key
    exchange and a SHA-1 MAC, speaking only *version* when given."""
    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", key_type=trustme.KeyType.RSA).configure_cert(tls)
    tls.set_ciphers(ciphers)
    if version is not None:
        tls.minimum_version = tls.maximum_version = version
    return ca, tls


def _close_after(body: bytes):
    """A page answered with Connection: close, so each request needs a connection of its own."""
    def answer(h):
        h.close_connection = True
        return _send(h, 200, body, headers={"Connection": "close"})
    return answer


@pytest.mark.parametrize("version, protocol_id", [(ssl.TLSVersion.TLSv1, "tls/1.0"),
                                                   (ssl.TLSVersion.TLSv1_1, "tls/1.1")])
@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")  # the old server's
def test_a_server_that_speaks_only_an_old_tls_is_captured_with_tls_min_version(tmp_path, invoke,
                                                                                version, protocol_id):
    """Python's client starts at TLS 1.2, so by default such a server fails at once (a refused
    protocol is not retried). With --tls-min-version, each refused handshake is tried once more
    with the legacy context; the WARC says over which protocol and suite each answer came."""
    ca, tls = _old_server(version)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    coll = tmp_path / "coll"
    with serve(tls=tls) as (base, site):
        site.extra["/a.html"] = _close_after(b'<html><body><a href="/b.html">B</a></body></html>')
        site.extra["/b.html"] = _close_after(article("B"))
        refused = invoke("capture", f"{base}/a.html", "--collection", tmp_path / "refused",
                         "--ignore-robots", "--no-requisites", "--json", "--ca-certificate", ca_file,
                         *FAST[:-1])
        assert site.connections == 1 and site.hits == {}
        result = invoke("capture", f"{base}/a.html", "--collection", coll, "--ignore-robots", "--depth", "1",
                        "--no-requisites", "--ca-certificate", ca_file, "--tls-min-version", "1.0", *FAST)
        # each connection (a.html's, b.html's): the usual handshake, refused, then the legacy one
        assert site.connections == 1 + 4 and site.hits["/a.html"] == site.hits["/b.html"] == 1
    assert refused.exit_code == 1
    [failure] = json.loads(refused.stdout)["failures"]
    assert failure["reason"] == (f"tls: no TLS version or cipher suite in common: "
                                 f"TLSV1_ALERT_PROTOCOL_VERSION ({base[8:]}); see --tls-min-version")
    assert result.exit_code == 0, result.output
    fields = header_lists(coll)
    for kind, path in (("request", "/a.html"), ("response", "/a.html"), ("response", "/b.html")):
        assert protocol(fields[kind, base + path]) == (
            ["http/1.1", protocol_id], ["TLS_RSA_WITH_AES_128_CBC_SHA"]), (kind, path)
    assert warcinfo_settings(coll)["tls_min_version"] == "1.0"
    assert_warcio_accepts(warcs(coll))


def test_a_tls_1_2_server_with_only_old_cipher_suites_is_reached_the_same_way(tmp_path, invoke):
    """RSA key exchange alone: Python's client offers none of its suites; the legacy context does."""
    ca, tls = _old_server(ciphers="@SECLEVEL=0:AES128-SHA256")
    tls.maximum_version = ssl.TLSVersion.TLSv1_2
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    coll = tmp_path / "coll"
    with serve(tls=tls) as (base, site):
        refused = invoke("capture", f"{base}/news/one.html", "--collection", tmp_path / "refused",
                         "--ignore-robots", "--no-requisites", "--json", "--ca-certificate", ca_file,
                         *FAST[:-1])
        result = invoke("capture", f"{base}/news/one.html", "--collection", coll, "--ignore-robots",
                        "--no-requisites", "--ca-certificate", ca_file, "--tls-min-version", "1.1", *FAST)
    [failure] = json.loads(refused.stdout)["failures"]
    assert failure["reason"].startswith("tls: no TLS version or cipher suite in common: "
                                        "SSLV3_ALERT_HANDSHAKE_FAILURE"), failure
    assert result.exit_code == 0, result.output
    assert protocol(header_lists(coll)["response", f"{base}/news/one.html"]) == (
        ["http/1.1", "tls/1.2"], ["TLS_RSA_WITH_AES_128_CBC_SHA256"])


def _weak_modern_server(tmp_path) -> tuple[str, ssl.SSLContext]:
    """(CA file, server context) of a TLS 1.3 server whose certificate has a 1024-bit RSA key,
    which security level 2 refuses and level 0 (the legacy context's) would pass."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    ca = trustme.CA(key_type=trustme.KeyType.RSA)
    ca_key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(ca.cert_pem.bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "weak")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    (tmp_path / "leaf.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.set_ciphers("@SECLEVEL=0:ALL")
    tls.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    tls.minimum_version = ssl.TLSVersion.TLSv1_3
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return str(ca_file), tls


def test_a_weak_certificate_on_a_modern_server_is_refused_even_with_tls_min_version(tmp_path, invoke):
    """The legacy context (security level 0: weak keys and signatures pass) is only for servers
    that refuse the usual handshake: a modern server is checked as without the option."""
    ca_file, tls = _weak_modern_server(tmp_path)
    with serve(tls=tls) as (base, site):
        result = invoke("capture", f"{base}/news/one.html", "--collection", tmp_path / "coll",
                        "--ignore-robots", "--no-requisites", "--json", "--ca-certificate", ca_file,
                        "--tls-min-version", "1.0", *FAST[:-1])
    assert result.exit_code == 1 and site.hits == {} and site.connections == 1
    [failure] = json.loads(result.stdout)["failures"]
    assert failure["reason"].startswith("tls: certificate verify failed: "), failure


def test_a_refusal_on_the_way_does_not_give_a_modern_server_the_legacy_handshake(tmp_path):
    """One refused handshake (a middlebox, or an attacker on the path, sending a protocol_version
    alert) sends the run to the legacy context; that context stops at TLS 1.2, so a TLS 1.3
    server with a weak certificate is not reached at security level 0 (the reviewer's case)."""
    ca_file, tls = _weak_modern_server(tmp_path)
    seen: list[str] = []

    def answer(conn):
        if not seen:  # the first connection: refused on the way
            seen.append("alert")
            conn.recv(4096)
            conn.sendall(b"\x15\x03\x03\x00\x02\x02\x46")  # fatal alert: protocol_version
            conn.close()
            return
        try:
            with tls.wrap_socket(conn, server_side=True) as s:
                seen.append(s.version())
                s.recv(65536)
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nweak")
        except (ssl.SSLError, OSError) as exc:
            seen.append(type(exc).__name__)

    listener, base, accepted = _raw_server(answer)
    try:
        result = capture([f"{base}/a.html"], tmp_path / "c", CaptureOptions(
            delay=0, retries=0, timeout=5, ignore_robots=True, requisites=False,
            ca_certificate=ca_file, tls_min_version="1.0"))
    finally:
        listener.close()
    assert result.pages == 0 and result.failed_seeds == [f"{base}/a.html"]
    assert "TLSv1.3" not in seen and len(accepted) == 2
    assert "even with --tls-min-version 1.0" in result.failures[0][1], result.failures


def test_a_server_that_only_glitched_once_is_not_remembered_as_old(tmp_path, ca):
    """One refusal on the way sends that connection to the legacy handshake only: the server's
    next connection uses the usual handshake again, and gets TLS 1.3."""
    tls = server_tls(ca)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    seen: list[str] = []
    pages = {b"/a.html": b'<html><body><a href="/b.html">B</a></body></html>', b"/b.html": b"<p>B</p>"}

    def answer(conn):
        if not seen:
            seen.append("alert")
            conn.recv(4096)
            conn.sendall(b"\x15\x03\x03\x00\x02\x02\x46")  # fatal alert: protocol_version
            conn.close()
            return
        with tls.wrap_socket(conn, server_side=True) as s:
            seen.append(s.version())
            path = s.recv(65536).split(b" ")[1]
            body = pages.get(path, b"")
            s.sendall(b"HTTP/1.1 %d OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                      b"Connection: close\r\n\r\n%s" % (200 if body else 404, len(body), body))

    listener, base, accepted = _raw_server(answer)
    try:
        result = capture([f"{base}/a.html"], tmp_path / "c", CaptureOptions(
            delay=0, retries=0, timeout=5, ignore_robots=True, requisites=False, depth=1,
            ca_certificate=str(ca_file), tls_min_version="1.0"))
    finally:
        listener.close()
    assert result.pages == 2 and not result.failed_seeds, result.failures
    assert seen == ["alert", "TLSv1.2", "TLSv1.3"]  # legacy once (it stops at 1.2), then as usual


def test_tls_min_version_1_3_refuses_a_tls_1_2_server(tmp_path, invoke, ca):
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    tls = server_tls(ca)
    tls.maximum_version = ssl.TLSVersion.TLSv1_2
    with serve(tls=tls) as (base, site):
        result = invoke("capture", f"{base}/news/one.html", "--collection", tmp_path / "coll",
                        "--ignore-robots", "--no-requisites", "--ca-certificate", ca_file,
                        "--tls-min-version", "1.3", "--json", *FAST[:-1])
    assert result.exit_code == 1 and site.hits == {} and site.connections == 1  # not retried
    [failure] = json.loads(result.stdout)["failures"]
    assert failure["reason"].startswith("tls: no TLS version or cipher suite in common: "), failure


def test_plain_http_records_carry_no_protocol_fields(tmp_path, invoke):
    coll = tmp_path / "coll"
    with serve() as (base, _):
        assert invoke("capture", f"{base}/news/one.html", "--collection", coll, *FAST).exit_code == 0
    assert protocol(header_lists(coll)["response", f"{base}/news/one.html"]) == ([], [])


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
    settings = warcinfo_settings(coll)
    assert settings["check_certificate"] is False and settings["ca_certificate"] is None
    assert "ca_certificate_sha256" not in settings
    assert_warcio_accepts(warcs(coll))


def _crl_only(path, ca):
    """A PEM file holding one certificate revocation list of *ca*, and no certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    issuer = x509.load_pem_x509_certificate(ca.cert_pem.bytes()).subject
    key = serialization.load_pem_private_key(ca.private_key_pem.bytes(), password=None)
    now = datetime.datetime.now(datetime.UTC)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(issuer).last_update(now)
           .next_update(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    path.write_bytes(crl.public_bytes(serialization.Encoding.PEM))


@pytest.mark.parametrize("make, message", [
    (None, "No such file or directory"),
    (lambda p, ca: p.write_text("not a certificate\n"), "no PEM CA certificate in it"),
    (lambda p, ca: p.write_bytes(b""), "no PEM CA certificate in it"),
    (_crl_only, "no PEM CA certificate in it (only revocation lists)"),
    (lambda p, ca: p.write_bytes(ca.cert_pem.bytes() + b"-----BEGIN CERTIFICATE-----\nAAAA\n"
                                 b"-----END CERTIFICATE-----\n"), "cannot read it as PEM certificates"),
    (lambda p, ca: os.mkfifo(p), "not a regular file"),  # would block the run for ever
])
def test_a_ca_file_that_cannot_be_used_is_one_error_line_and_nothing_is_made(tmp_path, invoke, ca, make,
                                                                              message):
    ca_file = tmp_path / "ca.pem"
    if make:
        make(ca_file, ca)
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


def test_the_archivists_ca_is_trusted_besides_the_systems(tmp_path, invoke, ca, monkeypatch):
    """--ca-certificate adds to the system's trust: a site signed by a CA of the system (here the
    OpenSSL default file, SSL_CERT_FILE, pointed at a second throwaway CA) is still captured."""
    system_ca = trustme.CA()
    system_file, ours = tmp_path / "system.pem", tmp_path / "ours.pem"
    system_ca.cert_pem.write_to_path(str(system_file))
    ca.cert_pem.write_to_path(str(ours))
    monkeypatch.setenv("SSL_CERT_FILE", str(system_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    for n, signer in enumerate((system_ca, ca)):
        with serve(tls=server_tls(signer)) as (base, _):
            result = invoke("capture", f"{base}/news/one.html", "--collection", tmp_path / f"c{n}",
                            "--no-requisites", "--ignore-robots", "--ca-certificate", ours, *FAST)
        assert result.exit_code == 0, (n, result.output)


def _raw_server(answer):
    """A TCP server on 127.0.0.1 that hands each connection to *answer* in a thread; yields
    (https base URL, list of connection counts)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def loop():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return listener, f"https://127.0.0.1:{listener.getsockname()[1]}", accepted


@pytest.mark.parametrize("answer, reason, retried", [
    # the connection closes in the middle of the handshake: it may go better next time
    (lambda conn: (conn.recv(1024), conn.close()), "connection closed during the handshake", True),
    # plain http on an https port: the same answer every time
    (lambda conn: (conn.recv(1024), conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"), conn.close()),
     "WRONG_VERSION_NUMBER", False),
])
def test_a_broken_handshake_is_retried_and_a_refused_protocol_is_not(tmp_path, answer, reason, retried):
    listener, base, accepted = _raw_server(answer)
    try:
        result = capture([f"{base}/"], tmp_path, CaptureOptions(delay=0, retries=2, backoff=0.01,
                                                                timeout=5, ignore_robots=True))
    finally:
        listener.close()
    assert result.failed_seeds == [f"{base}/"]
    assert result.failures[0][1].startswith("tls: ") and reason in result.failures[0][1], result.failures
    assert result.failures[0][1].endswith(f"({base[8:]})")
    assert len(accepted) == (3 if retried else 1)
