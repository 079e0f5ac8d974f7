"""The trust store (a folder of PEM/DER certificates) and certificate path building for SM2 chains.

pyHanko builds and validates PDF chains itself from `TrustStore.asn1_roots()`; OFD chains (SM2, names
that strict decoders reject) are built here, comparing names as raw DER and checking each link's
signature. Built once by whoever wires the verifier; read-only afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from pathlib import Path
from typing import Iterable, Sequence

from asn1crypto import x509

from validators.signatures.certs import Cert, issued_by, load_certs, parse_cert
from validators.signatures.der import SesError

logger = logging.getLogger(__name__)

CERT_SUFFIXES = {".pem", ".crt", ".cer", ".der", ".cert"}
MAX_DEPTH = 8


@dataclasses.dataclass(frozen=True)
class TrustStore:
    certs: tuple[Cert, ...] = ()

    @classmethod
    def from_dir(cls, path: Path | None) -> "TrustStore":
        """Every certificate in the files of `path` (not recursive). A missing folder is an empty store."""
        if path is None:
            return cls()
        if not Path(path).is_dir():
            logger.warning("trust store folder %s does not exist: no signature will be trusted", path)
            return cls()
        ders: list[bytes] = []
        for file in sorted(Path(path).iterdir()):
            if file.is_file() and file.suffix.lower() in CERT_SUFFIXES:
                try:
                    ders.extend(load_certs(file.read_bytes()))
                except OSError as exc:
                    logger.warning("cannot read trust store file %s: %s", file.name, exc)
        store = cls.from_ders(ders)
        if not store:
            logger.warning("trust store folder %s holds no certificate: no signature will be trusted", path)
        return store

    @classmethod
    def from_ders(cls, ders: Iterable[bytes]) -> "TrustStore":
        certs, seen = [], set()
        for der in ders:
            if der in seen:
                continue
            seen.add(der)
            try:
                certs.append(parse_cert(der))
            except SesError as exc:
                logger.warning("skipping a trust store entry that is not a certificate: %s", exc)
        return cls(tuple(certs))

    def __bool__(self) -> bool:
        return bool(self.certs)

    def asn1_roots(self) -> list[x509.Certificate]:
        """The certificates asn1crypto (hence pyHanko) can load, for PDF validation."""
        out = []
        for cert in self.certs:
            try:
                parsed = x509.Certificate.load(cert.der)
                parsed.native  # noqa: B018  (force a full parse now rather than inside pyHanko)
                out.append(parsed)
            except ValueError as exc:
                logger.info("trust anchor not usable for PDF validation: %s", exc)
        return out

    def is_anchor(self, cert: Cert) -> bool:
        return any(a.der == cert.der or (a.subject_raw == cert.subject_raw and a.public_key == cert.public_key) for a in self.certs)


@dataclasses.dataclass(frozen=True)
class ChainResult:
    trusted: bool
    path: tuple[Cert, ...]  # leaf first, anchor last when trusted
    reason: str  # "trusted", "no_anchor", "expired_ca", "no_trust_store", "self_signed"


def build_chain(leaf: Cert, store: TrustStore, extra: Sequence[Cert] = (), at: dt.datetime | None = None) -> ChainResult:
    """Find a path from `leaf` to an anchor of `store` using `extra` certificates (those shipped in
    the file) as intermediates. With `at`, CA certificates on the path must be valid at that time
    (the leaf's own validity is judged by the caller, since it gets its own finding)."""
    if not store:
        return ChainResult(False, (leaf,), "no_trust_store")
    pool = list(store.certs) + [c for c in extra if c.der != leaf.der]
    best_reason = "no_anchor"

    def walk(cert: Cert, path: list[Cert]) -> ChainResult | None:
        nonlocal best_reason
        if store.is_anchor(cert):
            # anchors are trusted as configured, whatever their dates (as pyHanko does)
            return ChainResult(True, tuple(path), "trusted")
        if len(path) > MAX_DEPTH:
            return None
        for candidate in pool:
            if candidate.der in {p.der for p in path}:
                continue
            if candidate.subject_raw != cert.issuer_raw or not issued_by(cert, candidate):
                continue
            if at is not None and not store.is_anchor(candidate) and not candidate.valid_at(at):
                best_reason = "expired_ca"
                continue
            found = walk(candidate, path + [candidate])
            if found:
                return found
        return None

    result = walk(leaf, [leaf])
    if result:
        return result
    if leaf.issuer_raw == leaf.subject_raw and best_reason == "no_anchor":
        best_reason = "self_signed"
    return ChainResult(False, (leaf,), best_reason)
