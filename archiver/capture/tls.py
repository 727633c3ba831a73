"""The TLS context of https fetches: which server certificates a capture trusts.

By default, Python's: the system's CA certificates, the chain verified and the host name matched
(RFC 6125). An archivist can add CA certificates of their own (an institution's proxy, a test CA:
wget's --ca-certificate) or switch verification off (wget's --no-check-certificate), since an
archive may need a page exactly as a server with an expired or self-signed certificate sent it.
The choice is one of the capture settings, so the warcinfo record of every WARC file says it.
"""

from __future__ import annotations

import ssl

from archiver.errors import ArchiverError


def tls_context(ca_certificate: str | None = None, check_certificate: bool = True) -> ssl.SSLContext:
    """A client context; ArchiverError when *ca_certificate* is no readable PEM file of CA
    certificates, or is given with *check_certificate* off (it would be silently ignored)."""
    if ca_certificate is not None and not check_certificate:
        raise ArchiverError("--ca-certificate and --no-check-certificate contradict each other: give one")
    context = ssl.create_default_context()
    if ca_certificate is not None:
        try:
            context.load_verify_locations(cafile=ca_certificate)
        except ssl.SSLError as exc:
            raise ArchiverError(f"--ca-certificate {ca_certificate}: no PEM CA certificate in it "
                                f"({exc.reason or exc})") from None
        except OSError as exc:
            raise ArchiverError(f"--ca-certificate {ca_certificate}: {exc.strerror or exc}") from None
    if not check_certificate:
        context.check_hostname = False  # must be off before verify_mode may be CERT_NONE
        context.verify_mode = ssl.CERT_NONE
    return context


def tls_failure_reason(exc: BaseException) -> tuple[str, bool]:
    """(reason for the capture log, whether retrying may help) of a failed TLS handshake.

    A certificate that is not trusted will not be trusted a second later: no retry."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message or exc.reason}", False
    return str(exc), True
