"""Helpers of the case API's tests: requests a clerk's client makes (a new case, an upload finished as the worker
would, an act), the chip reader's record, and readers of what came back (PDF text and fonts, the audit trail).
The fixture `env` is in conftest.py; the documents in tests/case_data.py."""

from __future__ import annotations

import io

import pdfplumber
import pikepdf
import sqlalchemy as sa
from PIL import Image

from tests.case_data import application, premises

REFERENCE = "individual-business-registration"
READER = {"name": "张三", "sex": "男", "ethnicity": "汉", "birth_date": "1990-03-07", "address": "北京市朝阳区建国路1号",
          "id_number": "110105199003071239", "issuing_authority": "北京市公安局朝阳分局", "valid_from": "2021-05-10",
          "valid_until": "2041-05-10", "material": "operator_id", "person": "operator", "device": "reader-01"}


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (102, 126), "gray").save(buf, "PNG")
    return buf.getvalue()


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 400), "white").save(buf, "JPEG")
    return buf.getvalue()


def new_case(client, headers, situation="self", applicant=None):
    response = client.post("/api/v1/cases", headers=headers, json={
        "item": REFERENCE, "situation": situation,
        "applicant": applicant or {"kind": "person", "name": "张三", "id_number": "110105199003071239"}})
    assert response.status_code == 201, response.text
    return response.json()


def finish_upload(client, app, headers, case_id, documents, material=None):
    """An upload through the case endpoint, finished as the worker would, then the case reassessed."""
    response = client.post(f"/api/v1/cases/{case_id}/uploads", headers=headers,
                           files={"file": ("scan.jpg", jpeg(), "image/jpeg")}, data={"material": material} if material else {})
    assert response.status_code == 202, response.text
    upload_id = response.json()["upload_id"]
    app.state.repo.claim(upload_id, lease_seconds=60, max_attempts=3)
    app.state.repo.finish(upload_id, documents)
    svc = app.state.services
    svc.cases.reassess(case_id, svc.assessor)
    return response.json()


def accepted_case(client, app, clerk):
    """A new case with a signed application, the reader record, premises proof and the application's original seen:
    everything the reference item asks, ready to accept."""
    case_id = new_case(client, clerk)["case_id"]
    finish_upload(client, app, clerk, case_id, [application()], material="application")
    client.post(f"/api/v1/cases/{case_id}/reader", headers=clerk, json=READER)
    finish_upload(client, app, clerk, case_id, premises(), material="premises_proof")
    client.post(f"/api/v1/cases/{case_id}/originals", headers=clerk,
                json={"material": "application", "originals_seen": 1, "copies_kept": 0})
    return case_id


def act(client, headers, case_id, act_name, **body):
    return client.post(f"/api/v1/cases/{case_id}/transitions", headers=headers, json={"act": act_name, **body})


def pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def embedded_fonts(data: bytes) -> list[tuple[str, bool]]:
    out = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for _name, font in page.Resources.Font.items():
                descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
                out.append((str(font.BaseFont), any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return out


def audit_actions(app) -> list[str]:
    with app.state.repo.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT action FROM audit_events ORDER BY id"))]


def audit_details(app) -> str:
    with app.state.repo.engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT detail FROM audit_events")).all())
