"""Reading an OFD package (GB/T 33190) in memory, safely: its files, XML, documents and signature lists.

The zip is opened over the bytes (never extracted to disk) and refused before anything is
decompressed when it has too many entries, entries or a total too large, a suspicious compression
ratio, duplicate names or encrypted entries. XML is parsed only through defusedxml. Every problem
with the structure raises `pipeline.errors.OfdMalformed`.

Paths: OFD writers use absolute paths ("/Doc_0/Signs/Signatures.xml"), paths relative to the file
that contains them ("SignedValue.dat" inside Signature.xml), and namespaces with or without "/2016";
elements are matched by local name.
"""

from __future__ import annotations

import dataclasses
import io
import posixpath
import zipfile
from typing import Iterator
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pipeline.errors import OfdMalformed


@dataclasses.dataclass(frozen=True)
class Limits:
    """Caps on what a package may make us decompress (defaults well above real e-licences:
    the largest seen has 30 entries, 4 MB and a 29:1 ratio)."""

    max_entries: int = 2_000
    max_entry_size: int = 64 * 1024 * 1024
    max_total_size: int = 256 * 1024 * 1024
    max_ratio: float = 100.0
    ratio_min_size: int = 1024 * 1024  # a high ratio on a small entry cannot hurt
    max_xml_size: int = 16 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class SignatureEntry:
    """One <Signature> of a Signatures.xml."""

    id: str
    type: str  # "Seal" (default when absent) or "Sign"
    path: str  # Signature.xml inside the package
    list_path: str  # the Signatures.xml that lists it
    order: int  # position in that list (0 = first signed)


def local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def child(element: Element, name: str) -> Element | None:
    for item in element:
        if local_name(item.tag) == name:
            return item
    return None


def children_named(element: Element, name: str) -> list[Element]:
    return [item for item in element if local_name(item.tag) == name]


def descendant(element: Element, name: str) -> Element | None:
    for item in element.iter():
        if local_name(item.tag) == name:
            return item
    return None


def text_of(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


class OfdPackage:
    """An OFD zip held in memory. Who calls: validators.signatures.ofd.verify and pipeline/ofd.py; reads only."""

    def __init__(self, data: bytes, limits: Limits = Limits()) -> None:
        self.limits = limits
        if not data.startswith(b"PK"):
            raise OfdMalformed(detail="not a zip package")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise OfdMalformed(detail=f"broken zip: {exc}") from exc
        self._check(infos)
        self._infos = {self._normal(i.filename): i for i in infos if not i.is_dir()}
        self._lower = {}
        for name in self._infos:
            self._lower.setdefault(name.lower(), []).append(name)
        self._cache: dict[str, bytes] = {}

    # --- safety ---------------------------------------------------------------------------

    def _check(self, infos: list[zipfile.ZipInfo]) -> None:
        limits = self.limits
        if len(infos) > limits.max_entries:
            raise OfdMalformed(detail=f"{len(infos)} entries, more than {limits.max_entries}")
        total = 0
        seen: set[str] = set()
        for info in infos:
            name = self._normal(info.filename)
            if name in seen:
                raise OfdMalformed(detail=f"duplicate entry {name!r}")
            seen.add(name)
            if info.flag_bits & 0x1:
                raise OfdMalformed(detail=f"encrypted entry {name!r}")
            if info.file_size > limits.max_entry_size:
                raise OfdMalformed(detail=f"entry {name!r} too large ({info.file_size} bytes)")
            total += info.file_size
            if info.file_size >= limits.ratio_min_size:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_ratio:
                    raise OfdMalformed(detail=f"entry {name!r} compression ratio {ratio:.0f}:1")
        if total > limits.max_total_size:
            raise OfdMalformed(detail=f"total uncompressed size {total} too large")

    @staticmethod
    def _normal(name: str) -> str:
        return posixpath.normpath("/" + name.replace("\\", "/")).lstrip("/")

    # --- files ----------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return list(self._infos)

    def find(self, path: str) -> str | None:
        """The entry name for `path` (exact, else a unique case-insensitive match), or None."""
        name = self._normal(path)
        if name in self._infos:
            return name
        matches = self._lower.get(name.lower(), [])
        return matches[0] if len(matches) == 1 else None

    def has(self, path: str) -> bool:
        return self.find(path) is not None

    def read(self, path: str) -> bytes:
        """Bytes of an entry; KeyError when absent, OfdMalformed when it cannot be decompressed."""
        name = self.find(path)
        if name is None:
            raise KeyError(path)
        if name not in self._cache:
            info = self._infos[name]
            try:
                with self._zip.open(info) as handle:
                    data = handle.read(self.limits.max_entry_size + 1)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                raise OfdMalformed(detail=f"cannot read {name!r}: {exc}") from exc
            if len(data) > self.limits.max_entry_size:
                raise OfdMalformed(detail=f"entry {name!r} larger than declared")
            self._cache[name] = data
        return self._cache[name]

    def xml(self, path: str) -> Element:
        """Parse an XML entry with defusedxml. OfdMalformed if missing or not well-formed."""
        try:
            data = self.read(path)
        except KeyError as exc:
            raise OfdMalformed(detail=f"missing {path!r}") from exc
        if len(data) > self.limits.max_xml_size:
            raise OfdMalformed(detail=f"XML {path!r} too large")
        try:
            return SafeET.fromstring(data)
        except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
            raise OfdMalformed(detail=f"bad XML in {path!r}: {exc}") from exc

    def resolve(self, base: str, ref: str) -> str:
        """Resolve `ref` written inside the file `base`: absolute from the package root, else
        relative to `base`'s folder; falls back to the package root for writers that omit the '/'."""
        ref = ref.strip().replace("\\", "/")
        if ref.startswith("/"):
            return self._normal(ref)
        relative = self._normal(posixpath.join(posixpath.dirname(self._normal(base)), ref))
        if self.has(relative):
            return relative
        rooted = self._normal(ref)
        return rooted if self.has(rooted) else relative

    # --- structure ------------------------------------------------------------------------

    def doc_bodies(self) -> list[Element]:
        root = self.xml("OFD.xml")
        if local_name(root.tag) != "OFD":
            raise OfdMalformed(detail="OFD.xml root is not <OFD>")
        bodies = children_named(root, "DocBody")
        if not bodies:
            raise OfdMalformed(detail="OFD.xml has no DocBody")
        return bodies

    def doc_roots(self) -> list[str]:
        return [self.resolve("OFD.xml", text_of(child(body, "DocRoot"))) for body in self.doc_bodies() if text_of(child(body, "DocRoot"))]

    def signature_lists(self) -> list[str]:
        """Paths of the Signatures.xml files named in OFD.xml."""
        out = []
        for body in self.doc_bodies():
            ref = text_of(child(body, "Signatures"))
            if ref:
                out.append(self.resolve("OFD.xml", ref))
        return out

    def signatures(self) -> Iterator[SignatureEntry]:
        for list_path in self.signature_lists():
            root = self.xml(list_path)
            for order, item in enumerate(children_named(root, "Signature")):
                base_loc = item.get("BaseLoc") or ""
                if not base_loc:
                    raise OfdMalformed(detail=f"signature without BaseLoc in {list_path!r}")
                yield SignatureEntry(
                    id=item.get("ID") or str(order),
                    type=item.get("Type") or "Seal",
                    path=self.resolve(list_path, base_loc),
                    list_path=list_path,
                    order=order,
                )
