"""Electronic signatures and e-seals: PDF (pyHanko) and OFD (GB/T 38540 / GM/T 0031, SM2/SM3).

`Verifier` implements `pipeline.interfaces.SignatureVerifier`. It is built once per process by the
wiring code from the trust store folder (YICHUANG_TRUST_DIR, read elsewhere) and reused; `verify` is a
pure function of the bytes, the kind and the judging time. Problems in a signature are findings on
its `SignatureResult`; only files that cannot be read at all raise (`pipeline.errors.InputError`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pipeline.errors import UnsupportedType
from pipeline.models import SignatureResult
from pipeline.ofd_package import Limits
from validators.signatures.trust import TrustStore

__all__ = ["Verifier", "TrustStore", "Limits"]


class Verifier:
    """Verifies every signature / e-seal of a PDF or OFD file at the judging time `at`.

    `trust_dir`: folder of PEM/DER certificates trusted as anchors (None: nothing is trusted, every
    signature gets `signature.untrusted`). `strict`: also reject GM/T 0031 v1 seals whose signature
    covers only the stored hash.
    """

    def __init__(self, trust_dir: Path | None, strict: bool = False, *, ofd_limits: Limits = Limits()) -> None:
        self.trust = TrustStore.from_dir(trust_dir)
        self.strict = strict
        self.ofd_limits = ofd_limits

    @classmethod
    def from_trust_store(cls, trust: TrustStore, strict: bool = False, *, ofd_limits: Limits = Limits()) -> "Verifier":
        verifier = cls(None, strict, ofd_limits=ofd_limits)
        verifier.trust = trust
        return verifier

    def verify(self, data: bytes, kind: Literal["pdf", "ofd"], at: dt.datetime) -> list[SignatureResult]:
        if kind == "pdf":
            from validators.signatures.pdf import verify_pdf

            return verify_pdf(data, self.trust, at, strict=self.strict)
        if kind == "ofd":
            from validators.signatures.ofd.verify import verify_ofd

            return verify_ofd(data, self.trust, at, strict=self.strict, limits=self.ofd_limits)
        raise UnsupportedType(detail=f"no signature verification for kind {kind!r}")
