"""Renders one case bundle (unsigned): generated pages with an embedded Chinese font (fpdf2), the pages of
PDF originals and the straightened page images (pikepdf assembles them), bookmarks in checklist order, every
electronic original embedded byte-for-byte as an attachment, and a manifest of names and SHA-256 hashes
(attached as manifest.json and printed on the last pages).

Order: cover (封面) → each material of the checklist, in the assessment's order, with one child bookmark per
document → documents no material took → the manifest. A material with nothing to show gets a short page
saying so, so that every material has a bookmark that leads somewhere.

Who calls it: storage.bundle.BundleService. Pure apart from reading originals through `files`; it changes
nothing and stores nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.assessment import DECISION_LABELS, STATUS_LABELS
from pipeline.case_states import BY_ACT, OUTCOMES, ROLE_LABELS, STATES
from pipeline.errors import InputError
from pipeline.interfaces import SHANGHAI, SignatureVerifier
from pipeline.masking import mask_id_number, mask_text
from storage.bundle.pages import Generated
from storage.bundle.records import BundleContent, BundleDocument, BundleMaterial, Event, PersonAct, SourceFile

logger = logging.getLogger(__name__)

SEVERITY = {"error": "问题", "warning": "需核对", "info": "说明"}
LATER = {"none": "无", "form_filling": "填写表单", "annotations": "添加批注", "other": "其他修改"}
MANIFEST_NAME = "manifest.json"
NEARLY_EMPTY = 0.2  # a last cover page used less than this is a spill, not a page
COMPACT = 0.86


@dataclass(frozen=True)
class Labels:
    """Chinese labels of document types and fields (validators.vocabulary, handed in by the API)."""

    type_label: Callable[[str], str] = str
    field_label: Callable[[str, str], str] = lambda _type, name: name
    # the hall and its agency as configured (api/halls.py); a hall without configuration says so visibly
    hall_label: Callable[[str], str] = lambda code: f"【未配置】大厅（{code}）"


@dataclass
class _Part:
    """A run of pages of the final PDF: pages of the generated document, or pages of an original PDF."""

    generated: range | None = None
    source: str | None = None  # sha256 of an original PDF
    pages: tuple[int, ...] = ()  # 1-based pages of that PDF
    first: int = 0  # index of its first page in the final PDF (set on assembly)


@dataclass
class _Mark:
    title: str
    part: int  # index of the part whose first page the bookmark opens
    children: list["_Mark"] = field(default_factory=list)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    manifest: dict[str, Any]
    outline: tuple[str, ...]


def _person(person: dict[str, Any]) -> str:
    """A person or organisation for the cover: ID numbers masked (docs/architecture.md "Personal data")."""
    if person.get("kind") == "organisation":
        return f"{person.get('name') or '—'}（统一社会信用代码 {person.get('credit_code') or '—'}）"
    number = person.get("id_number")
    return f"{person.get('name') or '—'}（公民身份号码 {mask_id_number(number) if number else '—'}）"


def _reading(value: Any) -> str:
    """A reading as stored in an act ({"value", "confidence"}, or a bare value) in words."""
    if isinstance(value, dict):
        shown = value.get("value")
        confidence = value.get("confidence")
        text = f"“{mask_text(str(shown))}”" if shown not in (None, "") else "（未识别）"
        return text + (f"（置信度 {float(confidence):.0%}）" if isinstance(confidence, (int, float)) else "")
    if isinstance(value, bool):
        return "“已签字”" if value else "“未签字”"
    return f"“{mask_text(str(value))}”" if value not in (None, "") else "（无）"


def _is_scan(data: bytes, body: dict[str, Any]) -> bool:
    """A PDF whose pages (those the document took) carry no text layer: a scan, shown as the straightened page
    images the capture stage stored (the original stays attached byte-for-byte)."""
    import pypdfium2 as pdfium

    if not body.get("image_keys"):
        return False
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return False
    try:
        wanted = [p for p in (body.get("pages") or range(1, len(pdf) + 1)) if 1 <= p <= len(pdf)]
        return bool(wanted) and all(pdf[p - 1].get_textpage().count_chars() == 0 for p in wanted)
    finally:
        pdf.close()


def _photographed(doc: BundleDocument) -> bool:
    """A document shown only as its page images (a photo or scan image, not a PDF or OFD file)."""
    media = doc.source.media_type if doc.source else None
    return bool(doc.body.get("image_keys")) and not doc.body.get("error") and media not in ("application/pdf",
                                                                                             "application/ofd")


def _counts(person: Any, machine: Any) -> str:
    """Originals seen and copies kept as the clerk attested, beside what the item asks for."""
    if not isinstance(person, dict):
        return f"{person}份" if person not in (None, "") else ""
    text = f"{int(person.get('originals_seen', 0))}份，收取复印件{int(person.get('copies_kept', 0))}份"
    if isinstance(machine, dict) and ("originals" in machine or "copies" in machine):
        text += f"（事项要求原件{int(machine.get('originals') or 0)}份、复印件{int(machine.get('copies') or 0)}份）"
    return text


def _commitment(person: Any, names: dict[str, str]) -> str:
    materials = person.get("materials") if isinstance(person, dict) else None
    return f"，容缺材料：{'、'.join(names.get(str(m), str(m)) for m in materials)}" if materials else ""


class Renderer:
    """One bundle. `files(key)` returns an original's bytes from the object store; `verifier` checks the
    signatures of library licence files (uploads carry theirs already)."""

    def __init__(self, content: BundleContent, files: Callable[[str], bytes], *, verifier: SignatureVerifier,
                 labels: Labels, signer: str, test_signer: bool, generated_at: dt.datetime) -> None:
        self.c, self.files, self.verifier, self.labels = content, files, verifier, labels
        self.signer, self.test_signer = signer, test_signer
        self.at = generated_at.astimezone(SHANGHAI)
        footer = f"办件 {content.case_number} · 材料包（办件第 {content.case_version} 版）· 生成于 {self.at:%Y-%m-%d %H:%M}"
        self.footer = footer
        self.gen = Generated(footer)
        self.parts: list[_Part] = []
        self.marks: list[_Mark] = []
        self.attachments: dict[str, dict[str, Any]] = {}  # sha256 -> manifest entry (+ bytes under "_data")
        self.images: list[dict[str, Any]] = []
        self.joined: list[dict[str, Any]] = []
        self._pdfs: dict[str, bytes] = {}

    # --- parts --------------------------------------------------------------------------------

    def _generated(self, draw: Callable[[], None]) -> int:
        start = self.gen.count()
        draw()
        self.parts.append(_Part(generated=range(start, self.gen.count())))
        return len(self.parts) - 1

    def _original_pages(self, source: SourceFile, data: bytes, pages: tuple[int, ...]) -> int | None:
        import pikepdf

        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                total = len(pdf.pages)
        except (pikepdf.PdfError, pikepdf.PasswordError):  # such a file carries its own error already
            return None
        wanted = tuple(p for p in pages if 1 <= p <= total) or tuple(range(1, total + 1))
        self._pdfs[source.sha256] = data
        self.parts.append(_Part(source=source.sha256, pages=wanted))
        return len(self.parts) - 1

    def _attach(self, source: SourceFile, data: bytes, material: str, material_name: str) -> str:
        if source.sha256 in self.attachments:
            return self.attachments[source.sha256]["name"]
        ext = {"application/pdf": "pdf", "application/ofd": "ofd"}.get(source.media_type or "", "bin")
        name = f"{len(self.attachments) + 1:02d}-{material}-{source.sha256[:12]}.{ext}"
        self.attachments[source.sha256] = {
            "name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "media_type": source.media_type or "application/octet-stream", "origin": source.origin,
            "material": material, "material_name": material_name, "_data": data}
        return name

    # --- the bundle ---------------------------------------------------------------------------

    def render(self) -> Rendered:
        self.marks.append(_Mark("封面", self._generated(self._fitted_cover)))
        for index, material in enumerate(self.c.materials, 1):
            self.marks.append(self._material(index, material))
        if self.c.unassigned:
            mark = _Mark("未归入材料的文件", -1)
            for doc in self.c.unassigned:
                mark.children.append(self._document(doc, "unassigned", "未归入材料的文件"))
            mark.part = mark.children[0].part
            self.marks.append(mark)
        manifest = self._manifest()
        self.marks.append(_Mark("附件清单", self._generated(lambda: self._manifest_pages(manifest))))
        return Rendered(pdf=self._assemble(manifest), manifest=manifest, outline=tuple(m.title for m in self.marks))

    def _material(self, index: int, material: BundleMaterial) -> _Mark:
        m = material.result
        title = f"{index}. {m['name']}（{STATUS_LABELS.get(m.get('status'), m.get('status', ''))}）"
        mark = _Mark(title, -1)
        licence = m.get("licence")
        if licence and licence.get("file_key"):
            mark.children.append(self._licence(m, licence))
        for doc in material.documents:
            mark.children.append(self._document(doc, m["code"], m["name"]))
        if not mark.children:
            mark.part = self._generated(lambda: self._nothing(m))
        else:
            mark.part = mark.children[0].part
        return mark

    def _document(self, doc: BundleDocument, material: str, material_name: str) -> _Mark:
        return self._joined(doc, material, material_name) if doc.parts else self._one(doc, material, material_name)

    def _joined(self, doc: BundleDocument, material: str, material_name: str) -> _Mark:
        """A document judged as one from several (a clerk's join, a form's later page): one bookmark, its pages in
        order — photographed pages under one page count, each image named with the original it came from — and an
        entry in the manifest's `joined`."""
        members = (doc, *doc.parts)
        doc_id = doc.body.get("id", "")
        label = self.labels.type_label(doc.body.get("type", "unknown"))
        self.joined.append({"document": doc_id, "material": material, "parts": [m.body.get("id", "") for m in members]})
        title = f"{label}（{len(members)} 份合并为一份）"
        if all(_photographed(m) for m in members):
            total = sum(len(m.body.get("image_keys") or ()) for m in members)

            def draw() -> None:
                shown = 0
                for m in members:
                    shown = self._images(material_name, label, m.body, m.source, shown=shown, total=total, joined=doc_id)
            return _Mark(title, self._generated(draw))
        marks = [self._one(m, material, material_name) for m in members]
        return _Mark(title, marks[0].part)

    def _one(self, doc: BundleDocument, material: str, material_name: str) -> _Mark:
        body, source = doc.body, doc.source
        label = self.labels.type_label(body.get("type", "unknown"))
        data = self.files(source.object_key) if source and source.media_type in ("application/pdf", "application/ofd") else None
        attached = self._attach(source, data, material, material_name) if data is not None else None
        title = f"{label}（{attached}）" if attached else label
        if body.get("error"):
            return _Mark(title, self._generated(lambda: self._summary(material_name, body, source, attached)))
        scan = data is not None and source.media_type == "application/pdf" and _is_scan(data, body)
        if source and source.media_type == "application/pdf" and body.get("region") is None and not scan:
            part = self._original_pages(source, data, tuple(body.get("pages") or ()))
            if part is not None:
                return _Mark(title, part)
        if source and source.media_type == "application/ofd" and body.get("image_keys"):
            return _Mark(title, self._generated(lambda: self._ofd(material_name, label, body, source, attached)))
        if source and source.media_type == "application/ofd" or not body.get("image_keys"):
            return _Mark(title, self._generated(lambda: self._summary(material_name, body, source, attached)))
        return _Mark(title, self._generated(lambda: self._images(material_name, label, body, source)))

    def _licence(self, m: dict[str, Any], licence: dict[str, Any]) -> _Mark:
        data = self.files(licence["file_key"])
        kind = "pdf" if b"%PDF-" in data[:1024] else "ofd" if data.startswith(b"PK\x03\x04") else None
        source = SourceFile(licence["file_key"], hashlib.sha256(data).hexdigest(),
                            {"pdf": "application/pdf", "ofd": "application/ofd"}.get(kind or ""), "licence")
        name = self._attach(source, data, m["code"], m["name"])
        try:
            signatures = [s.model_dump(mode="json") for s in self.verifier.verify(data, kind, self.at)] if kind else []
            problem = None if kind else "证照文件既不是 PDF 也不是 OFD，无法核验签名"
        except InputError as exc:  # a damaged licence file: said on its page, never a reason to fail the bundle
            signatures, problem = [], exc.message
        part = self._generated(lambda: self._licence_page(m, licence, signatures, name, problem))
        if kind == "pdf":
            self._original_pages(source, data, ())
        return _Mark(f"电子证照：{licence.get('name', '')}（{name}）", part)

    # --- generated pages ----------------------------------------------------------------------

    def _fitted_cover(self) -> None:
        """The cover; drawn again smaller when at full size it ends on a nearly empty page (a few lines spilled
        over). It is the first thing drawn, so starting the generated pages afresh loses nothing."""
        self._cover()
        if self.gen.count() > 1 and self.gen.last_page_fill() < NEARLY_EMPTY:
            self.gen = Generated(self.footer)
            self.gen.scale = COMPACT
            self._cover()
            self.gen.scale = 1.0

    def _cover(self) -> None:
        c, g, a = self.c, self.gen, self.c.assessment
        g.page()
        g.title("办件材料包（核验版）", 18)
        decision = a.get("decision")
        recommended = DECISION_LABELS.get(decision, decision or "尚未评估")
        if c.assessment_version is not None:
            recommended += f"（评估第 {c.assessment_version} 版，判定日期 {a.get('judged_on', '')}）"
        status = STATES.get(c.status, c.status) + (f"（{OUTCOMES.get(c.outcome, c.outcome)}）" if c.outcome else "")
        taken = (self._event_text(c.events[-1], who=True) if c.events
                 else "尚无工作人员作出决定（系统建议仅供参考，由工作人员决定）")
        signer = self.signer + ("（开发测试证书，不具效力）" if self.test_signer else "")
        rows = [("办件编号", c.case_number), ("受理大厅", self.labels.hall_label(c.hall)), ("事项", f"{c.item_name}（{c.item_code}，第 {c.item_version} 版）"),
                ("办理情形", c.situation_name), ("申请人", _person(c.applicant))]
        if c.agent:
            rows.append(("代理人", _person(c.agent)))
        rows += [("办件状态", status), ("系统建议", recommended), ("工作人员决定", taken),
                 ("材料包版本", f"办件第 {c.case_version} 版，生成于 {self.at:%Y-%m-%d %H:%M}（北京时间）"),
                 ("签名", f"{signer}；所有电子原件逐字节嵌入，哈希见附件清单")]
        g.pairs(rows)
        g.heading("材料清单")
        table = []
        for i, material in enumerate(c.materials, 1):
            m = material.result
            extra = f"，{m['due']}前补交" if m.get("due") else ""
            table.append((str(i), m["name"], STATUS_LABELS.get(m.get("status"), m.get("status", "")) + extra,
                          str(len(material.documents) + (1 if m.get("licence") else 0))))
        g.grid(("序号", "材料", "状态", "文件数"), table, (12, 96, 52, 18))
        g.heading("核验发现")
        findings = [(m.result["name"], f) for m in c.materials for f in m.result.get("findings", ())
                    if f.get("severity") in ("error", "warning")]
        findings += [("办件", f) for f in a.get("findings", ()) if f.get("severity") in ("error", "warning")]
        if findings:
            g.grid(("材料", "类别", "内容"), [(name, SEVERITY.get(f["severity"], f["severity"]), mask_text(f.get("message", "")))
                                          for name, f in findings], (42, 18, 118))
        else:
            g.line("无需要处理的问题。")
        signatures = [(m.result["name"], sig) for m in c.materials for d in m.documents
                      for sig in d.body.get("signatures") or ()]
        signatures += [("未归入材料的文件", sig) for d in c.unassigned for sig in d.body.get("signatures") or ()]
        if signatures:
            g.heading("电子签名核验结果")
            yes = {True: "是", False: "否"}
            g.grid(("材料", "签署人", "未被篡改", "证书可信", "覆盖全文", "签署后修改"),
                   [(name, sig.get("signed_by") or "—", yes.get(sig.get("intact"), "—"), yes.get(sig.get("trusted"), "—"),
                     yes.get(sig.get("covers_whole_file"), "—"), LATER.get(sig.get("later_changes"), "—"))
                    for name, sig in signatures], (42, 52, 20, 20, 20, 24))
        g.heading("人工核验与更正")
        for text in self._manual() or ["无人工核验或更正记录。"]:
            g.line(f"· {text}")
        g.heading("办理记录")
        if c.events:
            g.grid(("时间", "人员", "操作"), [(f"{e.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
                                            f"{e.actor}（{ROLE_LABELS.get(e.role, e.role)}）", self._event_text(e))
                                           for e in c.events], (32, 48, 98))
        else:
            g.line("无。")
        if a.get("notice"):
            g.heading("一次性告知内容（系统生成）")
            g.line(mask_text(a["notice"]), 9)

    def _event_text(self, e: Event, who: bool = False) -> str:
        transition = BY_ACT.get(e.act)
        text = (f"{transition.label if transition else e.act}（{STATES.get(e.from_state, e.from_state)} → "
                f"{STATES.get(e.to_state, e.to_state)}）")
        if e.reason:
            text += f"，理由：{mask_text(e.reason)}"
        if e.overridden:
            text += f"；未采纳系统建议（{DECISION_LABELS.get(e.recommendation, e.recommendation or '无')}）"
        if who:
            text = f"{e.actor}（{ROLE_LABELS.get(e.role, e.role)}）于 {e.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} {text}"
        return text

    def _manual(self) -> list[str]:
        names = {m.result["code"]: m.result["name"] for m in self.c.materials}
        types = {d.body.get("id"): d.body.get("type", "") for m in self.c.materials for d in m.documents}
        types.update({d.body.get("id"): d.body.get("type", "") for d in self.c.unassigned})
        out = [f"{names.get(a.material, a.material)}：{self._act_text(a, types)}" if a.material else self._act_text(a, types)
               for a in self.c.acts]
        for material in self.c.materials:
            m = material.result
            if any(f.get("code") == "material.manual" for f in m.get("findings", ())):
                out.append(f"{m['name']}：本材料需工作人员人工核验内容（尚未记录核验结果）")
        return out

    def _act_text(self, a: PersonAct, types: dict[str, str]) -> str:
        """One person's act in words, every value with its label (never a Python repr of the stored JSON)."""
        who = f"{ROLE_LABELS.get(a.role, a.role)}于 {a.at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
        why = f"，理由：{mask_text(a.reason)}" if a.reason else ""
        if a.kind == "field":
            doc_type = types.get(a.document, "")
            what = self.labels.type_label(doc_type) if doc_type else "文件"
            label = f"{what}的{self.labels.field_label(doc_type, a.field or '')}"
            return (f"{label}：机器识别为{_reading(a.machine_value)}，{who}更正为{_reading(a.person_value)}{why}")
        if a.kind == "finding":
            verb = "确认为问题" if a.action == "confirm" else "核实排除"
            machine = a.machine_value if isinstance(a.machine_value, dict) else {}
            message = f"（{mask_text(str(machine['message']))}）" if machine.get("message") else ""
            return f"核验发现 {a.finding}{message}：{who}{verb}{why}"
        if a.kind == "manual_check":
            machine = a.machine_value if isinstance(a.machine_value, dict) else {}
            before = STATUS_LABELS.get(machine.get("status"), machine.get("status")) if machine.get("status") else None
            return f"{who}人工核验（无扫描件）" + (f"，此前系统判定为“{before}”" if before else "") + why
        if a.kind == "original_seen":
            return f"{who}核验原件{_counts(a.person_value, a.machine_value)}{why}"
        if a.kind == "commitment":
            names = {m.result["code"]: m.result["name"] for m in self.c.materials}
            return f"申请人已签署容缺受理信用承诺书（{who}记录{_commitment(a.person_value, names)}）{why}"
        return f"{a.kind}（{who}）{why}"

    def _nothing(self, m: dict[str, Any]) -> None:
        self.gen.page()
        self.gen.title(m["name"], 14)
        status = STATUS_LABELS.get(m.get("status"), m.get("status", ""))
        self.gen.line(f"状态：{status}" + (f"（应于 {m['due']} 前补交）" if m.get("due") else ""))
        self.gen.line("本材料没有可展示的文件。")
        for f in m.get("findings", ()):
            self.gen.line(f"· {SEVERITY.get(f.get('severity'), '')}：{mask_text(f.get('message', ''))}", 9)

    def _fields(self, body: dict[str, Any]) -> list[tuple[str, str]]:
        rows = []
        for name, value in (body.get("fields") or {}).items():
            v = value.get("value") if isinstance(value, dict) else value
            person = isinstance(value, dict) and value.get("source") == "person"
            rows.append((self.labels.field_label(body.get("type", ""), name), f"{v}" + ("（工作人员更正）" if person else "")))
        return rows

    def _signature_rows(self, signatures: list[dict[str, Any]]) -> None:
        g = self.gen
        if not signatures:
            g.line("未发现电子签名或电子印章。")
            return
        yes = {True: "是", False: "否"}
        for i, s in enumerate(signatures, 1):
            g.line(f"签名 {i}（{'OFD 电子印章' if s.get('kind') == 'ofd' else 'PDF 电子签名'}）", 10)
            g.pairs([("签署人", s.get("signed_by") or "—"), ("签署时间", s.get("signed_at") or "—"),
                     ("内容未被篡改", yes.get(s.get("intact"), "—")), ("证书可信", yes.get(s.get("trusted"), "—")),
                     ("覆盖整个文件", yes.get(s.get("covers_whole_file"), "—")),
                     ("签署后的修改", LATER.get(s.get("later_changes"), s.get("later_changes") or "—")),
                     ("发现", "；".join(f.get("message", "") for f in s.get("findings", ())) or "无")])

    def _summary(self, material_name: str, body: dict[str, Any], source: SourceFile | None, attached: str | None,
                 rendered: bool = False) -> None:
        g = self.gen
        g.page()
        is_ofd = source is not None and source.media_type == "application/ofd"
        g.title(f"{material_name}：{self.labels.type_label(body.get('type', 'unknown'))}", 14)
        if body.get("error"):
            g.line(f"文件无法读取：{body['error'].get('message', '')}")
        elif is_ofd and rendered:
            g.line("OFD 电子文件：以下为摘要，其后为按版式渲染的页面图像；原件已逐字节嵌入本材料包。", 9, 90)
        elif is_ofd:
            g.line("OFD 电子文件：版式内容无法在此直接显示，以下为摘要；原件已逐字节嵌入本材料包。", 9, 90)
        g.pairs([("原件", attached or "（未嵌入）"), ("原件 SHA-256", source.sha256 if source else "—")])
        fields = self._fields(body)
        if fields:
            g.heading("识别字段")
            g.pairs(fields)
        elif body.get("text"):  # a document of unknown type: what it says, as read
            g.heading("识别出的文字（未能识别材料类型）")
            for row in str(body["text"]).splitlines()[:80]:
                g.line(row or " ", 8, 96)  # as printed, like the fields above (the record, not a log)
        g.heading("电子签名核验结果")
        self._signature_rows(list(body.get("signatures") or ()))

    def _ofd(self, material_name: str, label: str, body: dict[str, Any], source: SourceFile, attached: str | None) -> None:
        """An OFD material: its summary (fields, signatures), then its pages as the pipeline rendered them."""
        self._summary(material_name, body, source, attached, rendered=True)
        self._images(material_name, label, body, source, kind="OFD 版式文件按其页面内容渲染的图像")

    def _licence_page(self, m: dict[str, Any], licence: dict[str, Any], signatures: list[dict[str, Any]], name: str,
                      problem: str | None) -> None:
        g = self.gen
        g.page()
        g.title(f"{m['name']}：电子证照库调取", 14)
        g.pairs([("证照名称", licence.get("name", "")), ("证照编号", licence.get("number") or "—"),
                 ("证照标识", licence.get("identifier") or "—"), ("颁发机构", licence.get("issuer") or "—"),
                 ("状态", licence.get("status", "")), ("可信级别", licence.get("trust_level", "")),
                 ("有效期至", licence.get("valid_until") or "长期"), ("调取日期", licence.get("looked_up_on", "")),
                 ("原件", name)])
        g.heading("电子签名核验结果（生成材料包时）")
        if problem:
            g.line(f"无法核验：{problem}")
        else:
            self._signature_rows(signatures)

    def _images(self, material_name: str, label: str, body: dict[str, Any], source: SourceFile | None,
                kind: str = "矫正后的扫描图像", *, shown: int = 0, total: int | None = None, joined: str | None = None) -> int:
        """The document's page images; within a joined document `shown` pages came before, of `total`, and each
        manifest entry names the joined document and the part it came from. Returns the pages shown so far."""
        keys = list(body.get("image_keys") or ())
        total = total or len(keys)
        for i, key in enumerate(keys, shown + 1):
            png = self.files(key)
            entry = {"document": joined or body.get("id", ""), "image_sha256": key.split("/", 1)[-1],
                     "source_sha256": source.sha256 if source else ""}
            self.images.append({**entry, "part": body.get("id", ""), "page": i} if joined else entry)
            self.gen.image(png, f"{material_name} · {label} · 第 {i}/{total} 页（{kind}，"
                                f"原件 SHA-256 {source.sha256[:16] if source else '—'}…）")
        return shown + len(keys)

    def _manifest(self) -> dict[str, Any]:
        return {
            "schema": "yichuang.bundle/1", "case_id": self.c.case_id, "case_number": self.c.case_number,
            "case_version": self.c.case_version, "assessment_version": self.c.assessment_version,
            "generated_at": self.at.isoformat(), "signer": self.signer,
            "attachments": [{k: v for k, v in entry.items() if k != "_data"} for entry in self.attachments.values()],
            "page_images": self.images,
            "joined": self.joined,  # documents judged as one: {"document", "material", "parts": ids in page order}
        }

    def _manifest_pages(self, manifest: dict[str, Any]) -> None:
        g = self.gen
        g.page()
        g.title("附件清单", 14)
        g.line(f"以下电子原件逐字节嵌入本 PDF（附件），另附 {MANIFEST_NAME}；SHA-256 可与原件逐一核对。", 9)
        rows = [(a["name"], a["material_name"], f"{a['size']:,}", a["sha256"]) for a in manifest["attachments"]]
        if rows:
            g.grid(("附件", "材料", "字节", "SHA-256"), rows, (38, 28, 14, 98), size=6.5)
        else:
            g.line("本办件没有电子原件。")
        if manifest["page_images"]:
            g.heading("扫描页面图像及其原件")
            g.grid(("页面图像 SHA-256", "原件 SHA-256"),
                   [(i["image_sha256"], i["source_sha256"]) for i in manifest["page_images"]], (89, 89), size=6)

    # --- assembly -----------------------------------------------------------------------------

    def _assemble(self, manifest: dict[str, Any]) -> bytes:
        import pikepdf

        out = pikepdf.new()
        generated = pikepdf.open(io.BytesIO(self.gen.output()))
        sources = {}
        for sha, data in self._pdfs.items():
            src = pikepdf.open(io.BytesIO(data))
            try:
                src.flatten_annotations("all")  # a visible seal is often a widget's appearance: keep it as page content
            except pikepdf.PdfError:
                logger.warning("could not flatten the annotations of original %s…; its pages are shown without them", sha[:12])
            sources[sha] = src
        for part in self.parts:
            part.first = len(out.pages)
            if part.generated is not None:
                for i in part.generated:
                    out.pages.append(generated.pages[i])
            else:
                for number in part.pages:
                    out.pages.append(sources[part.source].pages[number - 1])
                    page = out.pages[-1]
                    if "/Annots" in page.obj:
                        del page.obj["/Annots"]  # no foreign form fields: the bundle's only field is its signature
        with out.open_outline() as outline:
            for mark in self.marks:
                item = pikepdf.OutlineItem(mark.title, self.parts[mark.part].first)
                item.children.extend(pikepdf.OutlineItem(child.title, self.parts[child.part].first) for child in mark.children)
                outline.root.append(item)
        stamp = f"D:{self.at.astimezone(dt.timezone.utc):%Y%m%d%H%M%S}Z"
        for entry in self.attachments.values():
            out.attachments[entry["name"]] = pikepdf.AttachedFileSpec(
                out, entry["_data"], description=entry["material_name"], filename=entry["name"],
                mime_type=entry["media_type"], creation_date=stamp, mod_date=stamp)
        blob = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        out.attachments[MANIFEST_NAME] = pikepdf.AttachedFileSpec(out, blob, description="附件清单", filename=MANIFEST_NAME,
                                                                   mime_type="application/json", creation_date=stamp,
                                                                   mod_date=stamp)
        out.docinfo["/Title"] = f"办件材料包 {self.c.case_number}（第 {self.c.case_version} 版）"
        out.docinfo["/Producer"] = "yichuang"
        out.Root.PageMode = pikepdf.Name.UseOutlines
        buf = io.BytesIO()
        out.save(buf)
        for src in sources.values():
            src.close()
        generated.close()
        return buf.getvalue()
