"""The built-in demo exam: a small gas-industry paper and invented candidates (no real person's data)."""

from __future__ import annotations

import io
import secrets
from datetime import datetime, timedelta
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from examsite.engine.timing import iso

DEMO_SESSION = "DEMO-1"

PAPER: dict[str, Any] = {
    "paper_id": "P-DEMO-GAS",
    "title": "燃气经营企业从业人员 理论考试（演示卷）",
    "subject": "燃气经营企业从业人员",
    "duration_min": 60,
    "pass_mark": 6,
    "total_score": 10,
    "multi_scoring": "all_or_nothing",
    "questions": [
        {
            "qid": "j1",
            "type": "judge",
            "stem": "发现室内燃气泄漏时，应立即打开排风扇排出燃气。",
            "options": [{"id": "A", "text": "正确"}, {"id": "B", "text": "错误"}],
            "answer": ["B"],
            "score": 1,
        },
        {
            "qid": "j2",
            "type": "judge",
            "stem": "燃气经营企业应当对从业人员进行专业培训，经考核合格后方可上岗。",
            "options": [{"id": "A", "text": "正确"}, {"id": "B", "text": "错误"}],
            "answer": ["A"],
            "score": 1,
        },
        {
            "qid": "j3",
            "type": "judge",
            "stem": "液化石油气钢瓶可以倒置或卧放使用。",
            "options": [{"id": "A", "text": "正确"}, {"id": "B", "text": "错误"}],
            "answer": ["B"],
            "score": 1,
        },
        {
            "qid": "s1",
            "type": "single",
            "stem": "天然气的主要成分是（　）。",
            "options": [
                {"id": "A", "text": "甲烷"},
                {"id": "B", "text": "丙烷"},
                {"id": "C", "text": "一氧化碳"},
                {"id": "D", "text": "氢气"},
            ],
            "answer": ["A"],
            "score": 1,
        },
        {
            "qid": "s2",
            "type": "single",
            "stem": "检查燃气管道接口是否漏气，正确的方法是（　）。",
            "options": [
                {"id": "A", "text": "用明火试漏"},
                {"id": "B", "text": "涂抹肥皂水"},
                {"id": "C", "text": "用鼻子贴近闻"},
                {"id": "D", "text": "用手触摸"},
            ],
            "answer": ["B"],
            "score": 1,
        },
        {
            "qid": "s3",
            "type": "single",
            "stem": "燃气燃烧不完全时，最容易产生的有毒气体是（　）。",
            "options": [
                {"id": "A", "text": "二氧化碳"},
                {"id": "B", "text": "氮气"},
                {"id": "C", "text": "一氧化碳"},
                {"id": "D", "text": "水蒸气"},
            ],
            "answer": ["C"],
            "score": 1,
        },
        {
            "qid": "s4",
            "type": "single",
            "stem": "《城镇燃气管理条例》规定，燃气经营实行（　）制度。",
            "options": [
                {"id": "A", "text": "备案"},
                {"id": "B", "text": "许可证"},
                {"id": "C", "text": "登记"},
                {"id": "D", "text": "承诺"},
            ],
            "answer": ["B"],
            "score": 1,
        },
        {
            "qid": "m1",
            "type": "multi",
            "stem": "下列属于燃气泄漏应急处置正确做法的有（　）。",
            "options": [
                {"id": "A", "text": "关闭燃气阀门"},
                {"id": "B", "text": "开窗通风"},
                {"id": "C", "text": "在现场拨打电话"},
                {"id": "D", "text": "撤离人员并报警"},
            ],
            "answer": ["A", "B", "D"],
            "score": 1.5,
        },
        {
            "qid": "m2",
            "type": "multi",
            "stem": "燃气经营企业从业人员包括（　）。",
            "options": [
                {"id": "A", "text": "企业主要负责人"},
                {"id": "B", "text": "安全生产管理人员"},
                {"id": "C", "text": "运行、维护和抢修人员"},
                {"id": "D", "text": "燃气用户"},
            ],
            "answer": ["A", "B", "C"],
            "score": 1.5,
        },
    ],
}
# 3 judge + 4 single + 2 multi = 3 + 4 + 3 = 10 points.

PEOPLE = [
    # (name, gender, birth yyyymmdd, area code, ticket suffix, seat); invented identities.
    ("张伟", "M", "19850312", "110101", 1),
    ("王芳", "F", "19900721", "310104", 2),
    ("李娜", "F", "19920105", "440106", 3),
    ("刘洋", "M", "19880930", "320102", 4),
    ("陈静", "F", "19951118", "330106", 5),
    ("杨磊", "M", "19830426", "510107", 6),
]

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def id_number(area: str, birth: str, serial: int, male: bool) -> str:
    """A GB 11643 number with a valid check digit (serial's last digit odd for men)."""
    s = serial
    if (s % 2 == 1) != male:
        s += 1
    body = f"{area}{birth}{s % 1000:03d}"
    return body + CHECK[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def avatar(name: str, seed: int) -> bytes:
    """A placeholder registered photo: a coloured card with the surname (PNG)."""
    img = Image.new(
        "RGB", (240, 300), ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, (seed * 29) % 200 + 40)
    )
    draw = ImageDraw.Draw(img)
    draw.ellipse((60, 50, 180, 170), fill=(235, 220, 200))
    draw.rectangle((40, 190, 200, 300), fill=(60, 70, 90))
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 48)
        draw.text((96, 85), name[0], font=font, fill=(40, 40, 40))
    except OSError:
        pass
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def demo_session(
    now: datetime, starts_in_min: float = 10, duration_min: float = 60
) -> dict[str, Any]:
    """The demo session, scheduled `starts_in_min` from now (check-in is then open)."""
    return {
        "id": DEMO_SESSION,
        "plan_id": "PLAN-DEMO",
        "site_id": "SITE-DEMO",
        "room": "第1考场",
        "subject": PAPER["subject"],
        "title": PAPER["title"],
        "starts_at": iso(now + timedelta(minutes=starts_in_min)),
        "duration_min": duration_min,
        "exam_password": f"{secrets.randbelow(10**6):06d}",
        "captures_per_candidate": 2,
        "show_score": 1,
    }


def demo_roster() -> list[dict[str, Any]]:
    """Six invented candidates with valid-looking ID numbers and placeholder photos."""
    out = []
    for i, (name, gender, birth, area, seat) in enumerate(PEOPLE, start=1):
        out.append(
            {
                "ticket": f"2026110{seat:03d}",
                "name": name,
                "gender": gender,
                "id_number": id_number(area, birth, 100 + i * 7, gender == "M"),
                "company": "示范燃气有限公司",
                "seat": seat,
                "photo": avatar(name, i),
            }
        )
    return out
