"""Generate the sample electronic-licence library of samples/licences/ (run by hand; the outputs are committed).

    .venv/bin/python samples/generate_licences.py [--out DIR] [--seed N]

Writes a small, fictional library that `yichuang licences import samples/licences/index.json` loads:
- `test_ca.pem`: a self-signed ECDSA P-256 test root ("yichuang licence test CA", 2020-01-01 .. 2045-01-01),
  the trust anchor for the licence files (YICHUANG_LICENCE_TRUST_DIR);
- `files/*.pdf`: one-page licences (marked 样本, fictional people and organisations), each signed with pyHanko
  by its issuer's leaf certificate of that root (the certificate's CN and O are the issuer's name, its
  serialNumber the issuer's credit code);
- `index.json`: the import file — one record per licence, every status of docs/domain.md present (VALID,
  SUSPENDED, REVOKED, CANCELLED, EXPIRED, ABOLISHED), some given as a sector's source codes (01 … 07), some as
  words, so the importer's status mapping is exercised.

Keys are derived from the seed and certificates signed deterministically, so `index.json` and `test_ca.pem` are
the same on every run; the PDF signatures' bytes differ per run (ECDSA), their content does not. Signing time
is fixed (2026-06-01 10:00 Asia/Shanghai). Nothing is fetched; nothing here is secret.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import sys
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from asn1crypto import keys, x509  # noqa: E402
from cryptography import x509 as cx509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
from fpdf import FPDF  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.signers import pdf_signer  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402

from pipeline import licence_identifier  # noqa: E402
from pipeline.numbers import id_check_char, org_code_check_char, uscc_check_char  # noqa: E402

OUT = ROOT / "samples" / "licences"
SEED = 20261204
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
SIGNED_AT = dt.datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI)
CREATED = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)

# 21-character licence type codes of the identifiers (fictional platform codes); `type_code` in the records
# is the catalog's placeholder code the shipped service items ask for.
TYPES = {
    "id_card": ("居民身份证", "11100000000000001A001"),
    "business_licence": ("营业执照", "12100000000000002B001"),
    "food_business_licence": ("食品经营许可证", "12100000000000003C001"),
    "public_place_hygiene_licence": ("公共场所卫生许可证", "12100000000000004D001"),
    "marriage_certificate": ("结婚证", "11100000000000005E001"),
}


def uscc(category: str, region: str, org8: str) -> str:
    first17 = category + region + org8 + org_code_check_char(org8)
    return first17 + uscc_check_char(first17)


ISSUERS = {
    "police": ("北京市公安局朝阳分局", uscc("11", "110105", "00001234")),
    "market": ("北京市朝阳区市场监督管理局", uscc("11", "110105", "00005678")),
    "health": ("北京市朝阳区卫生健康委员会", uscc("11", "110105", "00009012")),
    "civil": ("北京市朝阳区民政局", uscc("11", "110105", "00003456")),
}


def _key(label: str, seed: int) -> ec.EllipticCurvePrivateKey:
    secret = int.from_bytes(hashlib.sha256(f"yichuang-licences:{seed}:{label}".encode()).digest(), "big")
    return ec.derive_private_key(secret % (2**255) + 1, ec.SECP256R1())


def _name(cn: str, org: str, serial: str | None = None) -> cx509.Name:
    attrs = [cx509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), cx509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
             cx509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if serial:
        attrs.append(cx509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return cx509.Name(attrs)


def _cert(subject: cx509.Name, issuer: cx509.Name, key, issuer_key, *, ca: bool, serial: int) -> cx509.Certificate:
    builder = (
        cx509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
        .not_valid_after(dt.datetime(2045 if ca else 2040, 1, 1, tzinfo=dt.timezone.utc))
        .add_extension(cx509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(cx509.KeyUsage(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                                      encipher_only=False, decipher_only=False), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256(), ecdsa_deterministic=True)


def _id_number(region: str, birth: str, seq: str) -> str:
    first17 = region + birth + seq
    return first17 + id_check_char(first17)


def records(seed: int) -> list[dict]:
    """The sample library's records (deterministic for a seed). `_face` and `_file` are for the generator."""
    rng = random.Random(seed)

    def ident(type_key: str, issuer: str) -> str:
        return licence_identifier.make(TYPES[type_key][1], ISSUERS[issuer][1], f"{rng.randrange(10**6, 10**7)}", "001")

    zhang = _id_number("110105", "19900307", "123")  # the reference item's operator in the tests
    li = _id_number("370811", "19880812", "042")
    boyuan = uscc("92", "110105", "MA3C4K5W")  # 个体工商户
    hengtai = uscc("91", "110105", "MA3D7P2L")
    police, market, health, civil = (ISSUERS[k] for k in ("police", "market", "health", "civil"))

    def rec(type_key: str, issuer: str, holder: str, holder_code: str, code_type: str, status: str, start: str,
            until: str | None, number: str, face: dict, file: str | None, trust: str = "A") -> dict:
        name, _code = TYPES[type_key]
        out = {"identifier": ident(type_key, issuer), "name": name, "type_code": type_key, "number": number,
               "version": "001", "issuer": ISSUERS[issuer][0], "issuer_code": ISSUERS[issuer][1], "issued_on": start,
               "holder": holder, "holder_code": holder_code, "holder_code_type": code_type, "valid_from": start,
               "valid_until": until or "长期", "region": "110105", "related_items": [], "face": face,
               "status": status, "trust_level": trust}
        if file:
            out["file"] = f"files/{file}"
        return out

    return [
        rec("id_card", "police", "张三", zhang, "111", "01", "2021-05-10", "2041-05-10", zhang,
            {"姓名": "张三", "性别": "男", "民族": "汉", "出生": "1990年3月7日", "住址": "北京市朝阳区建国路1号"},
            "id_card_zhangsan.pdf"),
        rec("id_card", "police", "张三", zhang, "111", "04", "2011-05-10", "2021-05-10", zhang,
            {"姓名": "张三", "性别": "男"}, None),  # the card replaced in 2021: 注销
        rec("id_card", "police", "李四", li, "111", "VALID", "2019-01-15", "2039-01-15", li,
            {"姓名": "李四", "性别": "女", "民族": "汉", "出生": "1988年8月12日"}, "id_card_lisi.pdf"),
        rec("business_licence", "market", "北京博远日用百货店", boyuan, "001", "有效", "2020-05-06", None, boyuan,
            {"名称": "北京博远日用百货店", "类型": "个体工商户", "经营者": "张三", "经营场所": "北京市朝阳区建国路1号"},
            "business_licence_boyuan.pdf"),
        rec("business_licence", "market", "北京恒泰商贸有限公司", hengtai, "001", "07", "2018-03-01", None, hengtai,
            {"名称": "北京恒泰商贸有限公司", "类型": "有限责任公司", "法定代表人": "王五"}, "business_licence_hengtai.pdf"),
        rec("food_business_licence", "market", "北京恒泰商贸有限公司", hengtai, "001", "02", "2022-01-10", "2027-01-09",
            "JY11105000012345", {"经营者名称": "北京恒泰商贸有限公司", "经营项目": "预包装食品销售"}, None),
        rec("public_place_hygiene_licence", "health", "北京恒泰商贸有限公司", hengtai, "001", "05", "2019-02-01",
            "2023-01-31", "京朝卫公字〔2019〕第0123号", {"单位名称": "北京恒泰商贸有限公司", "许可项目": "美容店"}, None),
        rec("public_place_hygiene_licence", "health", "北京博远日用百货店", boyuan, "001", "废止", "2021-03-01",
            "2025-02-28", "京朝卫公字〔2021〕第0456号", {"单位名称": "北京博远日用百货店"}, None, trust="B"),
        rec("marriage_certificate", "civil", "张三", zhang, "111", "03", "2018-10-01", None, "J110105-2018-001234",
            {"持证人": "张三", "登记日期": "2018年10月01日"}, None),
    ]


def _pdf(record: dict) -> bytes:
    pdf = FPDF(orientation="L", format=(148, 210))
    pdf.set_creation_date(CREATED)
    pdf.set_title(record["name"])
    pdf.add_page()
    pdf.add_font("wqy", "", str(CJK_FONT), collection_font_number=0)
    pdf.set_font("wqy", size=22)
    pdf.set_text_color(200, 0, 0)
    pdf.cell(0, 12, "样本", new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_text_color(0, 0, 0)
    pdf.cell(0, 12, record["name"], new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("wqy", size=11)
    lines = [f"证照编号：{record['number']}", f"持证主体：{record['holder']}"]
    lines += [f"{k}：{v}" for k, v in record["face"].items()]
    lines += [f"有效期限：{record['valid_from']} 至 {record['valid_until']}", f"颁发机构：{record['issuer']}",
              f"证照标识：{record['identifier']}", "（虚构样本，仅供测试）"]
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


class _FixedClock(dt.datetime):
    """pyHanko takes the signing time from datetime.now(); the samples are signed at SIGNED_AT."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN001
        return SIGNED_AT.astimezone(tz) if tz else SIGNED_AT


def _sign(data: bytes, cert: cx509.Certificate, key, root: cx509.Certificate, issuer: str) -> bytes:
    signing_cert = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    root_cert = x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    private = keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    signer = signers.SimpleSigner(signing_cert=signing_cert, signing_key=private,
                                  cert_registry=SimpleCertificateStore.from_certs([root_cert]))
    meta = signers.PdfSignatureMetadata(field_name="Seal1", reason="电子证照签章（样本）", name=issuer, md_algorithm="sha256")
    out = io.BytesIO()
    with mock.patch.object(pdf_signer, "datetime", _FixedClock):
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer, output=out)
    return out.getvalue()


def authority(seed: int = SEED) -> tuple[cx509.Certificate, dict[str, tuple[cx509.Certificate, ec.EllipticCurvePrivateKey]]]:
    """The test CA and each issuer's (certificate, key), the same for a seed."""
    ca_key = _key("ca", seed)
    ca_name = _name("yichuang licence test CA", "yichuang test")
    ca = _cert(ca_name, ca_name, ca_key, ca_key, ca=True, serial=1)
    leaves = {}
    for n, (label, (issuer, code)) in enumerate(sorted(ISSUERS.items()), start=2):
        key = _key(label, seed)
        leaves[issuer] = (_cert(_name(issuer, issuer, code), ca_name, key, ca_key, ca=False, serial=n), key)
    return ca, leaves


def signed_pdf(record: dict, seed: int = SEED) -> bytes:
    """The record's licence as a one-page PDF signed by its issuer (tests make extra licences this way)."""
    ca, leaves = authority(seed)
    cert, key = leaves[record["issuer"]]
    return _sign(_pdf(record), cert, key, ca, record["issuer"])


def generate(out: Path = OUT, seed: int = SEED) -> list[dict]:
    """Write the sample library into `out`; returns the records written to index.json."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "files").mkdir(exist_ok=True)
    ca, _leaves = authority(seed)
    (out / "test_ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    written = records(seed)
    for record in written:
        if "file" in record:
            (out / record["file"]).write_bytes(signed_pdf(record, seed))
    (out / "index.json").write_text(json.dumps(written, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    written = generate(args.out, args.seed)
    print(f"wrote {len(written)} licences ({sum('file' in r for r in written)} signed files) to {args.out}")


if __name__ == "__main__":
    main()
