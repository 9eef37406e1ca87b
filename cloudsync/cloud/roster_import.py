"""Rosters from Excel or CSV, with photos from a folder.

Columns (by header): 准考证号 (ticket), 姓名 (name), 性别 (男/女/M/F), 身份证号 (id number,
checked by its GB 11643 check digit), 单位/工作单位 (company, optional), 座位号 (seat, optional),
照片 (photo file name, optional: otherwise ``<ticket>.jpg`` or ``<id number>.jpg``). Every row is
imported or listed with its reason; a candidate without a usable photo is imported and warned about
(the proctor then checks identity by eye).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEADERS = {
    "ticket": ("准考证号", "准考证", "ticket"),
    "name": ("姓名", "name"),
    "gender": ("性别", "gender"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "id_number"),
    "company": ("单位", "工作单位", "company"),
    "seat": ("座位号", "座号", "seat"),
    "photo": ("照片", "photo"),
}
REQUIRED = ("ticket", "name", "gender", "id_number")
GENDERS = {"男": "M", "M": "M", "男性": "M", "女": "F", "F": "F", "女性": "F"}
MAX_PHOTO_BYTES = 2 * 1024 * 1024
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of an 18-digit resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def valid_id_number(text: str) -> bool:
    """True for an 18-character resident ID number with the right check character."""
    return len(text) == 18 and text[:17].isdigit() and id_check_digit(text[:17]) == text[17].upper()


@dataclass
class RosterReport:
    """Candidates read, rows refused with reasons, warnings (e.g. missing photos)."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "imported": len(self.entries),
            "with_photo": sum(1 for e in self.entries if e.get("photo")),
            "errors": self.errors,
            "warnings": self.warnings,
        }


class RosterError(ValueError):
    """The roster file as a whole cannot be read."""


def _clean(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).replace("\u3000", " ").strip()


def _rows_from_file(path: Path) -> list[Sequence[Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # any unreadable workbook: say so, with what to do
            raise RosterError(
                f"无法读取名单 {path.name}：{exc}；请另存为 .xlsx 或 .csv"
                f"（cannot read roster {path.name}: {exc}; save it as .xlsx or .csv）"
            ) from None
        try:
            return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        finally:
            wb.close()
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(f"名单 {path.name} 编码无法识别（unknown text encoding）")
    return list(csv.reader(io.StringIO(text)))


def _find_photo(photos: Path | None, entry: dict[str, Any], named: str) -> tuple[bytes | None, str]:
    if photos is None:
        return None, "未提供照片目录（no photo folder given）"
    names = [named] if named else [f"{entry['ticket']}.jpg", f"{entry['id_number']}.jpg"]
    for name in names:
        p = (photos / name).resolve()
        if photos.resolve() not in p.parents:
            return None, f"照片路径 {name} 越出目录（photo path outside the folder）"
        if p.is_file():
            data = p.read_bytes()
            if not data.startswith(b"\xff\xd8"):
                return None, f"照片 {name} 不是 JPEG（photo {name} is not a JPEG）"
            if len(data) > MAX_PHOTO_BYTES:
                return None, f"照片 {name} 超过 2 MB（photo {name} is over 2 MB）"
            return data, ""
    return None, f"找不到照片 {' 或 '.join(names)}（photo {' / '.join(names)} not found）"


def parse_rows(rows: Iterable[Sequence[Any]], photos: Path | None) -> RosterReport:
    """Parse roster rows (the first row with the required headers starts the table)."""
    report = RosterReport()
    cols: dict[str, int] | None = None
    seen: set[str] = set()
    for rownum, row in enumerate(rows, start=1):
        cells = [_clean(c) for c in row]
        if not any(cells):
            continue
        if cols is None:
            found = {}
            for i, c in enumerate(cells):
                for fld, names in HEADERS.items():
                    if c in names and fld not in found:
                        found[fld] = i
            if all(f in found for f in REQUIRED):
                cols = found
            else:
                report.errors.append(
                    {"row": rownum, "reason": "表头之前的行（row before the header）"}
                )
            continue
        v = {f: cells[i] if i < len(cells) else "" for f, i in cols.items()}
        missing = [f for f in REQUIRED if not v[f]]
        if missing:
            report.errors.append(
                {
                    "row": rownum,
                    "reason": f"缺少 {', '.join(missing)}（missing {', '.join(missing)}）",
                }
            )
            continue
        gender = GENDERS.get(v["gender"].upper() if v["gender"].isascii() else v["gender"])
        if gender is None:
            report.errors.append(
                {
                    "row": rownum,
                    "reason": f"性别“{v['gender']}”应为 男/女（gender must be 男/女 or M/F）",
                }
            )
            continue
        if not valid_id_number(v["id_number"]):
            report.errors.append(
                {
                    "row": rownum,
                    "reason": f"身份证号 {v['id_number']} 无效（校验位不符）（invalid ID number）",
                }
            )
            continue
        if v["ticket"] in seen:
            report.errors.append(
                {"row": rownum, "reason": f"准考证号 {v['ticket']} 重复（duplicate ticket）"}
            )
            continue
        seat = v.get("seat", "")
        if seat and not seat.isdigit():
            report.errors.append(
                {"row": rownum, "reason": f"座位号 {seat} 应为数字（seat must be a number）"}
            )
            continue
        seen.add(v["ticket"])
        entry: dict[str, Any] = {
            "ticket": v["ticket"],
            "name": v["name"],
            "gender": gender,
            "id_number": v["id_number"].upper(),
            "company": v.get("company", ""),
            "seat": int(seat) if seat else None,
            "descriptor": None,
        }
        photo, problem = _find_photo(photos, entry, v.get("photo", ""))
        entry["photo"] = photo
        if problem:
            report.warnings.append({"row": rownum, "ticket": entry["ticket"], "reason": problem})
        report.entries.append(entry)
    if cols is None:
        raise RosterError(
            "名单中找不到表头 准考证号/姓名/性别/身份证号（no header row with 准考证号, 姓名, 性别, 身份证号）"
        )
    return report


def read_roster(path: str | Path, photos: str | Path | None = None) -> RosterReport:
    """Read a roster file (.xlsx or .csv) with photos from ``photos``."""
    p = Path(path)
    if not p.is_file():
        raise RosterError(f"找不到名单文件 {p}（roster file not found）")
    return parse_rows(_rows_from_file(p), Path(photos) if photos else None)
