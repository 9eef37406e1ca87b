"""Video segment index: GB/T 28181 ids, per-segment metadata records, a recordings-folder scanner.

Records follow ``specs/video-metadata.md`` §5.4 and are plain dicts, ready for
``examsite.store.video_segments`` and for sync (metadata only, never the video).

File names the scanner understands (times without ``Z`` are local to ``source_utc_offset``,
China Standard Time by default, as GB/T 28181 devices give TZ-less local times)::

    <camera>_<YYYYMMDDTHHMMSS>[Z]_<YYYYMMDDTHHMMSS>[Z].<ext>      flat export
    <camera>/<YYYYMMDD>/<HHMMSS>-<HHMMSS>.<ext>                    per-camera, per-day folders

``<camera>`` is a 20-digit GB/T 28181 channel id, or ``onvif~<host>~<recording token>`` for ONVIF.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RETENTION_YEARS = 3  # 001 checklist 4 / 004 §3.5.1: keep exam video at least three years
CHINA_STANDARD_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
VIDEO_SUFFIXES = (".mp4", ".mkv", ".avi", ".ts", ".ps", ".mpg", ".h264", ".h265", ".dav", ".flv")
SEGMENT_NAMESPACE = uuid.UUID("6f1d3c1e-6a0b-4a54-9d52-8d5f3f0b2c10")

# Provincial-level divisions of GB/T 2260 (the first two digits of a centre code): 北京…内蒙古,
# 辽宁…黑龙江, 上海…山东, 河南…海南, 重庆…西藏, 陕西…新疆, 台湾, 香港, 澳门.
PROVINCES = frozenset(
    f"{code:02d}"
    for first, last in (
        (11, 15),
        (21, 23),
        (31, 37),
        (41, 46),
        (50, 54),
        (61, 65),
        (71, 71),
        (81, 82),
    )
    for code in range(first, last + 1)
)
# GB/T 28181 Appendix D type codes (specs/video-metadata.md §5.1, from wvp-GB28181-pro
# DeviceTypeEnum; 202 媒体分发服务器 is in Appendix D though the spec's list skips it); codes not
# listed (119, 126–129, 144–199, 212–214 …) are reserved.
DEVICE_TYPES = {
    "111": "DVR", "112": "视频服务器", "113": "编码器", "114": "解码器", "115": "视频切换矩阵",
    "116": "音频切换矩阵", "117": "报警控制器", "118": "NVR", "120": "采集系统", "121": "卡口",
    "122": "多目设备", "123": "停车场出入口设备", "124": "门禁设备", "125": "安检设备",
    "130": "HVR", "131": "摄像机", "132": "网络摄像机(IPC)", "133": "显示器", "134": "报警输入设备",
    "135": "报警输出设备", "136": "语音输入设备", "137": "语音输出设备", "138": "移动传输设备",
    "139": "其他外围设备", "140": "继电器输出设备", "141": "道闸", "142": "智能门",
    "143": "凭证识别单元",
    "200": "中心信令控制服务器", "201": "Web应用服务器", "202": "媒体分发服务器", "203": "代理服务器",
    "204": "安全服务器", "205": "报警服务器", "206": "数据库服务器", "207": "GIS服务器",
    "208": "管理服务器", "209": "接入网关", "210": "媒体存储服务器", "211": "信令安全路由网关",
    "215": "业务分组", "216": "虚拟组织", "300": "中心用户", "400": "终端用户",
    "500": "外部平台", "501": "外部平台", "502": "外部平台", "503": "外部平台", "504": "外部平台",
    "505": "外部平台",
}  # fmt: skip
CAMERA_TYPES = frozenset({"131", "132"})
# What can hold the original recording (§5.4: NVR 118 or media storage 210; a DVR or hybrid
# recorder stores its cameras' video the same way).
RECORDER_TYPES = frozenset({"111", "118", "130", "210"})
_GB_ID = re.compile(r"^\d{20}$")
_FLAT = re.compile(r"^(?P<cam>[^_/]+)_(?P<start>\d{8}T\d{6}Z?)_(?P<end>\d{8}T\d{6}Z?)$")
_TIMES = re.compile(r"^(?P<start>\d{6})-(?P<end>\d{6})$")


class VideoMetadataError(ValueError):
    """Bad metadata, with a Chinese and an English message."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(f"{message_zh}（{message_en}）")
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class Gb28181Id:
    """The parts of a 20-digit GB/T 28181 id: centre(8) industry(2) type(3) network(1) serial(6)."""

    value: str
    centre: str
    industry: str
    type_code: str
    network: str
    serial: str

    @property
    def type_name(self) -> str | None:
        """Device type from Appendix D, None for reserved codes."""
        return DEVICE_TYPES.get(self.type_code)

    @property
    def is_camera(self) -> bool:
        """Type 131 (camera) or 132 (IPC)."""
        return self.type_code in CAMERA_TYPES


def parse_gb28181_id(value: str) -> Gb28181Id:
    """Validate and split an id such as ``34020000001320000001``."""
    if not isinstance(value, str) or not _GB_ID.match(value):
        raise VideoMetadataError(
            "gb28181_id_invalid",
            f"“{value}”不是20位数字的GB/T 28181编码，请核对摄像机通道编号",
            f"{value!r} is not a 20-digit GB/T 28181 id; check the camera channel id",
        )
    if value[:2] not in PROVINCES:
        raise VideoMetadataError(
            "gb28181_id_invalid",
            f"GB/T 28181编码“{value}”的省级行政区划码{value[:2]}不存在（GB/T 2260），请核对编码",
            f"GB/T 28181 id {value}: {value[:2]} is no province code of GB/T 2260; check the id",
        )
    if value[10:13] not in DEVICE_TYPES:
        raise VideoMetadataError(
            "gb28181_id_invalid",
            f"GB/T 28181编码“{value}”的类型码{value[10:13]}（第11–13位）不在附录D中，请核对编码",
            f"GB/T 28181 id {value}: type code {value[10:13]} (digits 11–13) is not in "
            "Appendix D; check the id",
        )
    return Gb28181Id(value, value[:8], value[8:10], value[10:13], value[13], value[14:])


def _role(value: str, types: frozenset[str], code: str, what_zh: str, what_en: str) -> None:
    parsed = parse_gb28181_id(value)
    if parsed.type_code not in types:
        wanted = "/".join(sorted(types))
        raise VideoMetadataError(
            code,
            f"编码“{value}”是{parsed.type_name}（类型码{parsed.type_code}），不是{what_zh}"
            f"（类型码{wanted}），请核对设备编码",
            f"id {value} is a {parsed.type_code} device, not a {what_en} (type {wanted}); "
            "check the device id",
        )


def is_gb28181_id(value: str) -> bool:
    """True when :func:`parse_gb28181_id` accepts ``value``."""
    try:
        parse_gb28181_id(value)
    except VideoMetadataError:
        return False
    return True


def camera_kind(camera_id: str) -> str:
    """``gb28181`` for a valid 20-digit camera id (type 131/132), ``onvif`` for
    ``onvif:host/recording[/track]``."""
    if _GB_ID.match(camera_id):
        _role(camera_id, CAMERA_TYPES, "camera_id_not_camera", "摄像机", "camera")
        return "gb28181"
    if (
        camera_id.startswith("onvif:")
        and len(camera_id.split("/")) >= 2
        and camera_id.split("/")[1]
    ):
        return "onvif"
    raise VideoMetadataError(
        "camera_id_invalid",
        f"摄像机标识“{camera_id}”无效：应为20位GB/T 28181编码或 onvif:主机/录像令牌",
        f"camera id {camera_id!r} invalid: use a 20-digit GB/T 28181 id or onvif:host/recording-token",
    )


def iso_utc(moment: dt.datetime) -> str:
    """``2026-11-24T01:30:00Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_device_time(raw: str, offset: dt.tzinfo = CHINA_STANDARD_TIME) -> dt.datetime:
    """``20261124T093000`` (local), ``20261124T013000Z`` or ISO ``2026-11-24T09:30:00`` → aware."""
    text = raw.strip()
    for pattern in ("%Y%m%dT%H%M%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            moment = dt.datetime.strptime(text.removesuffix("Z"), pattern)
        except ValueError:
            continue
        return moment.replace(tzinfo=dt.UTC if text.endswith("Z") else offset)
    raise VideoMetadataError(
        "video_time_invalid",
        f"录像时间“{raw}”格式无法识别",
        f"recording time {raw!r} not understood",
    )


def retention_until(end: dt.datetime, years: int = RETENTION_YEARS) -> str:
    """The date (``YYYY-MM-DD``, UTC) until which a segment ending at ``end`` must be kept."""
    if years < RETENTION_YEARS:
        raise VideoMetadataError(
            "retention_too_short",
            f"录像保存期限不得少于{RETENTION_YEARS}年",
            f"video must be kept at least {RETENTION_YEARS} years",
        )
    day = end.astimezone(dt.UTC).date()
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February
        return (day.replace(day=28, year=day.year + years) + dt.timedelta(days=1)).isoformat()


def sha256_file(path: Path, chunk: int = 1024 * 1024) -> tuple[str, int]:
    """(hex digest, size in bytes), streaming."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def segment_record(
    *,
    camera_id: str,
    start: dt.datetime,
    end: dt.datetime,
    sha256: str,
    size_bytes: int,
    path: str,
    raw_start: str = "",
    raw_end: str = "",
    source_tz: str = "+08:00",
    recorder_id: str | None = None,
    exam_session_id: str | None = None,
    room_id: str | None = None,
    record_type: str = "time",
    secrecy: int = 0,
    container: str | None = None,
    device_size_bytes: int | None = None,
    device_clock_offset_ms: int | None = None,
    method: str = "scan",
    ingested_at: dt.datetime | None = None,
    retention_years: int = RETENTION_YEARS,
) -> dict[str, Any]:
    """One segment's metadata (``specs/video-metadata.md`` §5.4), validated, as a plain dict.

    ``segment_id`` is derived from camera, start and hash, so indexing the same file twice
    gives the same record.
    """
    kind = camera_kind(camera_id)
    if recorder_id:
        _role(recorder_id, RECORDER_TYPES, "recorder_id_not_recorder", "录像设备", "recorder")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end < start:
        raise VideoMetadataError(
            "video_times_reversed",
            "录像结束时间早于开始时间",
            "recording ends before it starts",
        )
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise VideoMetadataError(
            "video_hash_invalid", "录像文件哈希无效", "sha256 must be 64 hex digits"
        )
    if size_bytes < 0:
        raise ValueError("size_bytes must be ≥ 0")
    if record_type not in ("time", "alarm", "manual"):
        raise ValueError("record_type must be time, alarm or manual")
    start_utc, end_utc = iso_utc(start), iso_utc(end)
    return {
        "segment_id": str(uuid.uuid5(SEGMENT_NAMESPACE, f"{camera_id}|{start_utc}|{sha256}")),
        "camera_id": camera_id,
        "camera_kind": kind,
        "recorder_id": recorder_id,
        "exam_session_id": exam_session_id,
        "room_id": room_id,
        "path": path,
        "start_utc": start_utc,
        "end_utc": end_utc,
        "source_tz": source_tz,
        "raw_start": raw_start,
        "raw_end": raw_end,
        "record_type": record_type,
        "secrecy": int(secrecy),
        "container": container,
        "size_bytes": int(size_bytes),
        "device_size_bytes": device_size_bytes,
        "device_clock_offset_ms": device_clock_offset_ms,
        "sha256": sha256,
        "method": method,
        "ingested_at": iso_utc(ingested_at or dt.datetime.now(dt.UTC)),
        "retention_until": retention_until(end, retention_years),
    }


@dataclass
class ScanResult:
    """Records found, and files passed over with the reason."""

    records: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def _camera_from_name(name: str) -> str:
    return name.replace("~", ":", 1).replace("~", "/") if name.startswith("onvif~") else name


def _times(
    path: Path, root: Path, offset: dt.tzinfo
) -> tuple[str, str, str, dt.datetime, dt.datetime]:
    flat = _FLAT.match(path.stem)
    if flat:
        raw_start, raw_end = flat["start"], flat["end"]
        start, end = parse_device_time(raw_start, offset), parse_device_time(raw_end, offset)
        return _camera_from_name(flat["cam"]), raw_start, raw_end, start, end
    parts = path.relative_to(root).parts
    nested = _TIMES.match(path.stem)
    if nested and len(parts) >= 3 and re.fullmatch(r"\d{8}", parts[-2]):
        day = parts[-2]
        raw_start, raw_end = f"{day}T{nested['start']}", f"{day}T{nested['end']}"
        start, end = parse_device_time(raw_start, offset), parse_device_time(raw_end, offset)
        if end < start:  # the segment runs over midnight
            end += dt.timedelta(days=1)
        return _camera_from_name(parts[-3]), raw_start, raw_end, start, end
    raise VideoMetadataError(
        "video_name_unknown",
        "录像文件名不符合命名约定（见 docs/devices.md）",
        "file name does not follow the naming convention (see docs/devices.md)",
    )


def scan_directory(
    root: str | Path,
    *,
    known_paths: Iterable[str] = (),
    source_utc_offset: dt.tzinfo = CHINA_STANDARD_TIME,
    settle_seconds: float = 10.0,
    exam_session_id: str | None = None,
    room_id: str | None = None,
    recorder_id: str | None = None,
    retention_years: int = RETENTION_YEARS,
    now: float | None = None,
) -> ScanResult:
    """Index every finished video file under ``root`` not yet in ``known_paths``.

    Files modified in the last ``settle_seconds`` are still being written and are left for the
    next scan. Paths in records are relative to ``root`` with ``/`` separators. A
    ``recorder_id`` that is no recorder raises :class:`VideoMetadataError`.
    """
    if recorder_id:  # a wrong setting would skip every file: refuse it once, up front
        _role(recorder_id, RECORDER_TYPES, "recorder_id_not_recorder", "录像设备", "recorder")
    base = Path(root)
    known = set(known_paths)
    result = ScanResult()
    current = time.time() if now is None else now
    offset_text = _offset_text(source_utc_offset)
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        rel = path.relative_to(base).as_posix()
        if rel in known:
            continue
        if path.suffix.lower() not in VIDEO_SUFFIXES:
            result.skipped.append({"path": rel, "reason": "not_video"})
            continue
        try:
            stat = path.stat()
            if current - stat.st_mtime < settle_seconds:
                result.skipped.append({"path": rel, "reason": "in_progress"})
                continue
            camera, raw_start, raw_end, start, end = _times(path, base, source_utc_offset)
            digest, size = sha256_file(path)
            result.records.append(
                segment_record(
                    camera_id=camera,
                    start=start,
                    end=end,
                    sha256=digest,
                    size_bytes=size,
                    path=rel,
                    raw_start=raw_start,
                    raw_end=raw_end,
                    source_tz=offset_text,
                    recorder_id=recorder_id,
                    exam_session_id=exam_session_id,
                    room_id=room_id,
                    container=path.suffix.lower().lstrip("."),
                    retention_years=retention_years,
                )
            )
        except VideoMetadataError as exc:
            result.skipped.append({"path": rel, "reason": exc.code, "message": str(exc)})
        except OSError as exc:
            result.skipped.append({"path": rel, "reason": "unreadable", "message": str(exc)})
    return result


def _offset_text(tz: dt.tzinfo) -> str:
    delta = tz.utcoffset(None) or dt.timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
