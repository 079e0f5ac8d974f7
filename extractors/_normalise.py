"""Value normalisation shared by the extractors (names, enumerations)."""

from __future__ import annotations

import re
import unicodedata

# The 56 ethnic groups as printed on ID cards (民族 field).
ETHNICITIES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()

# PP-OCR (v5/v6) sometimes prints traditional forms of simplified characters (户→戶, 汉→漢, 吴→吳).
TRADITIONAL = str.maketrans({
    "漢": "汉", "滿": "满", "維": "维", "爾": "尔", "壯": "壮", "鮮": "鲜", "僳": "僳", "納": "纳", "頗": "颇",
    "達": "达", "斡": "斡", "撒": "撒", "錫": "锡", "烏": "乌", "別": "别", "羅": "罗", "鄂": "鄂", "溫": "温",
    "獨": "独", "龍": "龙", "門": "门", "諾": "诺", "東": "东", "鄉": "乡", "戶": "户", "吳": "吴", "張": "张",
    "陳": "陈", "劉": "刘", "楊": "杨", "黃": "黄", "趙": "赵", "葉": "叶", "許": "许", "鄭": "郑", "馮": "冯",
    "蔣": "蒋", "韓": "韩", "區": "区", "縣": "县", "鎮": "镇", "號": "号", "廣": "广", "雲": "云", "貴": "贵",
    "遼": "辽", "寧": "宁", "陝": "陕", "黑": "黑", "華": "华", "國": "国", "圖": "图", "嶺": "岭", "區": "区",
    "樓": "楼", "單": "单", "園": "园", "莊": "庄", "灣": "湾", "橋": "桥", "興": "兴", "長": "长", "發": "发",
    "關": "关", "機": "机", "悅": "悦", "簽": "签", "證": "证", "藥": "药", "業": "业", "灤": "滦", "靈": "灵", "東": "东",
})


def simplified(text: str) -> str:
    return text.translate(TRADITIONAL)


def ethnicity(text: str) -> str | None:
    """The ethnic group named in `text` (族 suffix dropped), or None when it names none."""
    value = simplified(re.sub(r"[^\u4e00-\u9fff]", "", unicodedata.normalize("NFKC", text))).removesuffix("族")
    if value in ETHNICITIES:
        return value
    for name in sorted(ETHNICITIES, key=len, reverse=True):
        if value.startswith(name):
            return name
    return None


def person_name(text: str) -> str:
    """Chinese characters and the middle dot of minority names; everything else dropped."""
    value = re.sub(r"[^\u3400-\u9fff\U00020000-\U0003134f·•]", "", unicodedata.normalize("NFKC", text))
    return simplified(value.replace("•", "·"))
