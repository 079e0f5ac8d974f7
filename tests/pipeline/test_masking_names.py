"""Names are masked in logs like ID and phone numbers: person-name fields and names after a Chinese label."""

import io
import logging

from pipeline.masking import MaskingFilter, mask_text


def test_person_name_fields_are_masked_in_any_notation():
    assert mask_text("check failed name=张三丰 hall=h1") == "check failed name=张* hall=h1"
    assert mask_text("operator_name='欧阳娜娜' upload=u1") == "operator_name='欧*' upload=u1"
    assert mask_text('{"holder": "李四", "organisation_name": "某某有限公司"}') == '{"holder": "李*", "organisation_name": "某某有限公司"}'
    assert mask_text("{'legal_representative': 'Zhang San'}") == "{'legal_representative': 'Z*'}"
    assert mask_text("filename=scan.png rename=x") == "filename=scan.png rename=x", "other fields stay"


def test_chinese_names_after_a_label_are_masked():
    assert mask_text("姓名：王小明 性别：男") == "姓名：王* 性别：男"
    assert mask_text("OCR line 姓名张三 民族汉") == "OCR line 姓名张* 民族汉"
    assert mask_text("申请人: 李四，法定代表人：赵六") == "申请人: 李*，法定代表人：赵*"


def test_the_log_filter_masks_names_in_messages_extras_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter("%(message)s holder=%(holder)s"))
    logger = logging.getLogger("test.masking.names")
    logger.addHandler(handler)
    try:
        try:
            raise ValueError("姓名：张三丰 does not match")
        except ValueError:
            logger.exception("consistency failed for operator_name=%s", "欧阳娜娜", extra={"holder": "李四"})
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    for name in ("张三丰", "欧阳娜娜", "李四"):
        assert name not in text, text
    assert "operator_name=欧*" in text and "holder=李*" in text and "姓名：张*" in text
