"""The TLS context of https fetches: which server certificates a capture trusts.

By default, Python's: the system's CA certificates, the chain verified and the host name matched
(RFC 6125). An archivist can add CA certificates of their own (an institution's proxy, a test CA:
wget's --ca-certificate) or switch verification off (wget's --no-check-certificate), since an
archive may need a page exactly as a server with an expired or self-signed certificate sent it.
The choice is one of the capture settings, so the warcinfo record of every WARC file says it.
"""

from __future__ import annotations

import hashlib
import os
import ssl
import warnings
from typing import NamedTuple

from archiver.errors import ArchiverError


class Trust(NamedTuple):
    """The TLS contexts of a run, and the sha256 of the --ca-certificate file it trusts (for the
    warcinfo record: the path alone says nothing once the file has moved or changed)."""

    context: ssl.SSLContext
    ca_sha256: str | None = None
    # --tls-min-version 1.0/1.1: for a server that refuses *context*'s handshake, and only then
    legacy: ssl.SSLContext | None = None
    legacy_version: str | None = None  # that --tls-min-version, for the reasons of failures


# --tls-min-version: the oldest protocol a run accepts. Python's client starts at TLS 1.2.
TLS_MIN_VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
                    "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}
DEFAULT_TLS_MIN_VERSION = "1.2"
# The suites offered to an old server: Python's default list (forward-secret AEAD and AES
# suites) plus what servers of that age speak: SHA-1 MACs and RSA key exchange. OpenSSL 3 refuses
# TLS below 1.2 (its SHA-1 handshake signatures) above security level 0. No RC4, 3DES, export,
# anonymous or PSK suites, which no server needs today.
_LEGACY_CIPHERS = ("@SECLEVEL=0:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:RSA+AESGCM:RSA+AES"
                   ":!aNULL:!eNULL:!aDSS:!AESCCM:!PSK:!SRP")


def trust_for(ca_certificate: str | None = None, check_certificate: bool = True,
              min_version: str = DEFAULT_TLS_MIN_VERSION) -> Trust:
    """The contexts of a run; ArchiverError when *ca_certificate* is no readable PEM file holding
    a CA certificate, or is given with *check_certificate* off (it would be silently ignored).

    *min_version* below 1.2 reaches servers that browsers have given up on since 2020: an
    archive of an old site is still worth having. It gives a second, legacy context (old
    versions and suites, OpenSSL security level 0, so weak keys and signatures pass) that the
    fetcher uses only for a server that refused the usual handshake; every other server is
    spoken to, and its certificate checked, as without the option. The WARC records which
    protocol and cipher suite each answer came over (WARC-Protocol, WARC-Cipher-Suite)."""
    if ca_certificate is not None and not check_certificate:
        raise ArchiverError("--ca-certificate and --no-check-certificate contradict each other: give one")
    if min_version not in TLS_MIN_VERSIONS:
        raise ArchiverError(f"--tls-min-version {min_version}: not one of {', '.join(TLS_MIN_VERSIONS)}")
    context = _client_context(check_certificate)
    digest = _load_ca_file(context, ca_certificate) if ca_certificate is not None else None
    version = TLS_MIN_VERSIONS[min_version]
    if version >= ssl.TLSVersion.TLSv1_2:
        context.minimum_version = version
        return Trust(context, digest)
    legacy = _client_context(check_certificate)
    if ca_certificate is not None:
        legacy.load_verify_locations(cafile=ca_certificate)  # already checked by _load_ca_file
    legacy.set_ciphers(_LEGACY_CIPHERS)
    with warnings.catch_warnings():  # Python deprecates TLS 1.0 and 1.1; the archivist asked for them
        warnings.simplefilter("ignore", DeprecationWarning)
        legacy.minimum_version = version
    # no old server speaks TLS 1.3; one that speaks only 1.3 never gets security level 0 (one
    # whose usual handshake is refused on the way, by a middlebox or an attacker, could try)
    legacy.maximum_version = ssl.TLSVersion.TLSv1_2
    return Trust(context, digest, legacy, min_version)


def _client_context(check_certificate: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not check_certificate:
        context.check_hostname = False  # must be off before verify_mode may be CERT_NONE
        context.verify_mode = ssl.CERT_NONE
    return context


_CERTIFICATE_LINES = (b"-----BEGIN CERTIFICATE-----", b"-----BEGIN TRUSTED CERTIFICATE-----")


def _load_ca_file(context: ssl.SSLContext, path: str) -> str:
    """Add the CA certificates of the PEM file at *path* to the system's in *context*; returns
    the file's sha256, taken in the same read that looks for a certificate in it."""
    where = f"--ca-certificate {path}"
    if not os.path.isfile(path):  # a directory, or a FIFO that would block the run for ever
        reason = "No such file or directory" if not os.path.exists(path) else "not a regular file"
        raise ArchiverError(f"{where}: {reason}")
    try:
        context.load_verify_locations(cafile=path)
        hasher, has_certificate = hashlib.sha256(), False
        with open(path, "rb") as fh:
            for line in fh:
                hasher.update(line)
                has_certificate = has_certificate or line.startswith(_CERTIFICATE_LINES)
    except ssl.SSLError as exc:
        if exc.reason == "NO_CERTIFICATE_OR_CRL_FOUND":
            raise ArchiverError(f"{where}: no PEM CA certificate in it") from None
        raise ArchiverError(f"{where}: cannot read it as PEM certificates ({exc.reason or exc})") from None
    except OSError as exc:
        raise ArchiverError(f"{where}: {exc.strerror or exc}") from None
    if not has_certificate:  # OpenSSL also takes a file of CRLs only, which trusts nothing
        raise ArchiverError(f"{where}: no PEM CA certificate in it (only revocation lists)")
    return "sha256:" + hasher.hexdigest()


# OpenSSL's reasons for a handshake an old server refuses: on the protocol version (the server's
# alert, or its choice of a version below the client's minimum), or on the cipher suites (its
# handshake_failure alert: it speaks none of ours, such as RSA key exchange alone)
_OLD_SERVER = {"TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "SSLV3_ALERT_HANDSHAKE_FAILURE"}


def may_be_old_server(exc: BaseException) -> bool:
    """Whether a failed handshake may succeed with the legacy context (see trust_for)."""
    return isinstance(exc, ssl.SSLError) and exc.reason in _OLD_SERVER


def tls_failure_reason(exc: BaseException, where: str, legacy_tried: str | None = None) -> tuple[str, bool]:
    """(reason for the capture log, whether retrying may help) of a TLS handshake with *where*
    (host:port) that failed; *legacy_tried*: the --tls-min-version whose legacy handshake was
    refused too (else an old server's refusal points at the option).

    The server's answer does not change a second later: a certificate that is not trusted, a
    protocol version refused, plain http on an https port. A connection that broke, closed or
    stalled during the handshake may do better on a retry."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message or exc.reason} ({where})", False
    if isinstance(exc, TimeoutError):
        return f"timeout: TLS handshake with {where}", True
    if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError)):
        return f"connection closed during the handshake ({where})", True
    if may_be_old_server(exc):
        # most often an old server that speaks only TLS 1.0 or 1.1: say what would reach it
        if legacy_tried:
            return (f"no TLS version or cipher suite in common, even with --tls-min-version "
                    f"{legacy_tried}: {exc.reason} ({where})"), False
        return (f"no TLS version or cipher suite in common: {exc.reason} ({where}); "
                f"see --tls-min-version"), False
    if isinstance(exc, ssl.SSLError):
        return f"{exc.reason or exc} ({where})", False
    return f"{getattr(exc, 'strerror', None) or exc} during the handshake ({where})", True


# WARC-Protocol identifiers of TLS versions (IIPC WARC extension "WARC-Protocol", adopted),
# keyed by what ssl.SSLSocket.version() says.
_PROTOCOL_IDS = {"SSLv3": "ssl/3", "TLSv1": "tls/1.0", "TLSv1.1": "tls/1.1", "TLSv1.2": "tls/1.2",
                 "TLSv1.3": "tls/1.3"}

# IANA names (TLS Cipher Suites registry, 'Description' column) of the TLS 1.2 and older suites
# that our client contexts offer, keyed by code point. WARC-Cipher-Suite (IIPC WARC
# extension, adopted) takes the IANA name; OpenSSL names TLS 1.2 suites its own way
# (ECDHE-RSA-AES128-GCM-SHA256), and for TLS 1.3 uses the IANA names itself.
_IANA_CIPHER_SUITES = {
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    # offered only with --tls-min-version 1.0 or 1.1 (_LEGACY_CIPHERS); names as
    # `openssl ciphers -V -stdname` gives them
    0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
    0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
    0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256",
    0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
    0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
}


def cipher_suite_names(context: ssl.SSLContext) -> dict[str, str]:
    """OpenSSL name -> IANA name of each cipher suite *context* may negotiate that has one here."""
    names = {}
    for suite in context.get_ciphers():
        name = suite["name"]
        iana = name if name.startswith("TLS_") else _IANA_CIPHER_SUITES.get(suite["id"] & 0xFFFF)
        if iana:
            names[name] = iana
    return names


def protocol_fields(sock: ssl.SSLSocket, iana_names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The WARC-Protocol (TLS version) and WARC-Cipher-Suite fields of a TLS connection; a value
    with no registered name is left out rather than written in another vocabulary."""
    fields = []
    version = _PROTOCOL_IDS.get(sock.version() or "")
    if version:
        fields.append(("WARC-Protocol", version))
    cipher = sock.cipher()
    if cipher and cipher[0] in iana_names:
        fields.append(("WARC-Cipher-Suite", iana_names[cipher[0]]))
    return tuple(fields)
