"""Fault-injection OCR engines, loaded by dotted path (YICHUANG_OCR_ENGINE=tests.fakes:SlowEngine)."""

from __future__ import annotations

import os
import time

from pipeline.models import TextLine


class SlowEngine:
    """Blocks for YICHUANG_TEST_SLOW_SECONDS on every page (a hung OCR), then reads nothing."""

    name = "fake-slow"

    def read(self, image) -> list[TextLine]:
        time.sleep(float(os.environ.get("YICHUANG_TEST_SLOW_SECONDS", "600")))
        return []

    read_as_is = read

    def orientation(self, crops):
        return [(0, 1.0) for _ in crops]

    def recognize(self, crops):
        return [("", 0.0) for _ in crops]


class CrashingEngine:
    """Kills its own process mid-task, like an OCR library that segfaults."""

    name = "fake-crash"

    def read(self, image) -> list[TextLine]:
        os._exit(137)

    read_as_is = read

    def orientation(self, crops):
        return [(0, 1.0) for _ in crops]

    def recognize(self, crops):
        os._exit(137)


class FixedEngine:
    """Reads the same ID-card front on every page, instantly."""

    name = "fake-fixed"
    LINES = [("姓名张三", (40, 40, 200, 70)), ("性别男民族汉", (40, 90, 260, 120)), ("出生1990年3月7日", (40, 140, 320, 170)),
             ("住址北京市朝阳区建国路1号", (40, 190, 420, 220)), ("公民身份号码", (40, 300, 200, 330)),
             ("110105199003071239", (230, 300, 600, 330))]

    def read(self, image) -> list[TextLine]:
        return [TextLine(text=t, score=0.99, box=b) for t, b in self.LINES]

    read_as_is = read

    def orientation(self, crops):
        return [(0, 1.0) for _ in crops]

    def recognize(self, crops):
        return [("", 0.0) for _ in crops]


class SlowStartEngine(FixedEngine):
    """Takes YICHUANG_TEST_BUILD_SECONDS to build (a model load on a loaded machine), then reads like FixedEngine."""

    name = "fake-slow-start"

    def __init__(self) -> None:
        time.sleep(float(os.environ.get("YICHUANG_TEST_BUILD_SECONDS", "6")))
