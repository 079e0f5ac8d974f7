"""The verified case bundle: one signed PDF per case version that a reviewer and any downstream system can trust.

    case + latest assessment + documents + acts (records.py)
      (an earlier case version: rebuilt from the insert-only records as they stood when the next version came)
      ─> unchanged since the last bundle of this case version? serve it
      ─> else render (render.py: cover, materials in checklist order with bookmarks, originals attached
         byte-for-byte, manifest) ─> sign with the hall's certificate (signing.py)
      ─> store the PDF (content-addressed, never overwritten) ─> record it (case_bundles)

Every bundle built stays in the object store and in `case_bundles`, so every bundle ever served remains
retrievable (`versions`), and a version nobody asked for while it was current can still be built later.

Who calls it: api/bundle.py (one BundleService per app).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.interfaces import NoSignatureVerifier, ObjectStore, SignatureVerifier
from storage.bundle.records import BundleContent, BundleRecord, BundleRepository
from storage.bundle.render import Labels, Renderer
from storage.bundle.signing import HallSigner, SigningRefused, load_signer
from storage.db import utcnow

__all__ = ["BundleService", "BundleRepository", "BundleRecord", "Labels", "HallSigner", "SigningRefused", "load_signer"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bundle:
    record: BundleRecord
    data: bytes
    built: bool  # True when this call built it


class BundleService:
    """Builds, keeps and serves the bundles of cases: the database (through BundleRepository) and the object
    store are the only state; one instance per app, safe to share between request threads."""

    def __init__(self, engine, store: ObjectStore, signer: Callable[[], HallSigner], *,
                 verifier: SignatureVerifier | None = None, labels: Labels = Labels(),
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        """`signer` is called on the first build (so a missing production certificate refuses building, never
        the serving of bundles already made)."""
        self.repo = BundleRepository(engine)
        self.store, self.verifier, self.labels, self.clock = store, verifier or NoSignatureVerifier(), labels, clock
        self._signer_factory, self._signer = signer, None
        self._lock = threading.Lock()

    def signer(self) -> HallSigner:
        with self._lock:
            if self._signer is None:
                self._signer = self._signer_factory()
            return self._signer

    def bundle(self, case_id: str, version: int | None = None, *, requested_by: str) -> Bundle | None:
        """Without `version`: the bundle of the case as it stands: the stored one when nothing it shows has
        changed, else a new one (a new act on the same case version makes a new bundle), kept beside the earlier
        ones. With `version`: the bundle first served for that version, or one built as the case stood then when
        nobody asked for it yet. None when the case or the version does not exist."""
        if version is not None and (served := self.repo.first(case_id, version)) is not None:
            return Bundle(served, self.store.get(served.object_key), built=False)
        content = self.repo.content(case_id, version)
        if content is None:
            return None
        fingerprint = content.fingerprint()
        existing = self.repo.find(case_id, content.case_version, fingerprint)
        if existing is not None:
            return Bundle(existing, self.store.get(existing.object_key), built=False)
        signed, signer = self.build(content)
        key = self.store.put(signed, content_type="application/pdf")
        record = self.repo.record(content, fingerprint, object_key=key, sha256=hashlib.sha256(signed).hexdigest(),
                                  size=len(signed), signer=signer.subject, created_by=requested_by)
        logger.info("case %s: bundle for case version %d built (%d bytes)", case_id, content.case_version, len(signed))
        if record.object_key != key:  # a concurrent request recorded the same content first: serve that one
            return Bundle(record, self.store.get(record.object_key), built=False)
        return Bundle(record, signed, built=True)

    def stored(self, case_id: str, bundle_id: int) -> Bundle | None:
        """A bundle by its own identifier, exactly as it was served."""
        record = self.repo.get(case_id, bundle_id)
        return Bundle(record, self.store.get(record.object_key), built=False) if record is not None else None

    def build(self, content: BundleContent) -> tuple[bytes, HallSigner]:
        """Render and sign (stores nothing)."""
        signer = self.signer()
        rendered = Renderer(content, self.store.get, verifier=self.verifier, labels=self.labels, signer=signer.subject,
                            test_signer=signer.is_test, generated_at=self.clock()).render()
        signed = signer.sign(rendered.pdf, reason=f"办件 {content.case_number} 材料包（第 {content.case_version} 版）核验件",
                             location=content.hall)
        return signed, signer
