"""IMS QTI 2.1 content packages (zip) to bank questions: choice interactions only.

A package is refused as a whole, with a clear error, when the zip is broken, any entry would
land outside the package (``../``, absolute paths), the manifest is missing or malformed, a
resource points outside the package or at a missing file, or a resource's declared type does
not match its file. Items other than a single choice interaction (inline choices, text entry,
MathAssess, …) are listed as skipped with the reason; a package with no usable item is refused.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from cloudsync.cloud.bank_excel import question_id

CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
ITEM_TYPES = {"imsqti_item_xmlv2p1", "imsqti_item_xmlv2p0"}
TEST_TYPES = {"imsqti_test_xmlv2p1", "imsqti_test_xmlv2p0"}
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# papers are plain text: images, MathML/MathAssess and template variables cannot travel
UNSUPPORTED = {"img", "object", "templateDeclaration", "templateProcessing", "customOperator"}
MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 200 * 1024 * 1024
JUDGE_TRUE = {"true", "正确", "对", "是", "yes"}
JUDGE_FALSE = {"false", "错误", "错", "否", "no"}


class QtiError(ValueError):
    """The package is refused; ``code`` is stable, the message bilingual with what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class QtiReport:
    """Questions taken from a package and items skipped with their reasons."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    stored: int = 0
    duplicates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "found": len(self.questions),
            "stored": self.stored,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
        }


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _safe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return False
    return ".." not in name.split("/")


def _text(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise QtiError(
            "broken_zip",
            f"压缩包已损坏或不完整（{exc}），请重新导出后再导入（the zip is broken or truncated: {exc}; export it again）",
        ) from None
    bad = [i.filename for i in infos if not _safe_name(i.filename)]
    if bad:
        raise QtiError(
            "path_traversal",
            f"压缩包含有越出包目录的路径 {bad[0]!r}，已拒绝（the zip has an entry outside the package: {bad[0]!r}; refused）",
        )
    if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise QtiError("too_large", "压缩包过大（the package is too large）")
    return zf


def _parse_xml(zf: zipfile.ZipFile, name: str) -> ET.Element:
    try:
        return ET.fromstring(zf.read(name))
    except (ET.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise QtiError(
            "bad_xml", f"{name} 不是有效的 XML（{exc}）（{name} is not valid XML: {exc}）"
        ) from None


def _resources(zf: zipfile.ZipFile) -> list[tuple[str, str, str]]:
    names = set(zf.namelist())
    if "imsmanifest.xml" not in names:
        raise QtiError(
            "not_content_package",
            "不是 IMS 内容包：缺少 imsmanifest.xml（not an IMS content package: imsmanifest.xml is missing）",
        )
    manifest = _parse_xml(zf, "imsmanifest.xml")
    res_parent = manifest.find(f"{{{CP_NS}}}resources")
    if _local(manifest.tag) != "manifest" or res_parent is None:
        raise QtiError(
            "bad_manifest",
            "imsmanifest.xml 缺少 resources 节（imsmanifest.xml has no resources section）",
        )
    out = []
    for res in res_parent.findall(f"{{{CP_NS}}}resource"):
        href = res.get("href", "")
        rtype = res.get("type", "")
        hrefs = [href] + [f.get("href", "") for f in res.findall(f"{{{CP_NS}}}file")]
        for h in hrefs:
            if not h:
                continue
            norm = posixpath.normpath(h)
            if "://" in h or not _safe_name(h) or norm.startswith(".."):
                raise QtiError(
                    "external_href",
                    f"资源 {res.get('identifier')} 指向包外的 {h!r}，已拒绝（resource points outside the package: {h!r}）",
                )
            if norm not in names:
                raise QtiError(
                    "missing_file",
                    f"资源 {res.get('identifier')} 引用的文件 {h!r} 不在包内（file {h!r} named in the manifest is missing）",
                )
        if href:
            out.append((res.get("identifier", href), rtype, posixpath.normpath(href)))
    if not out:
        raise QtiError("bad_manifest", "清单中没有任何资源（the manifest lists no resources）")
    return out


def parse_item(root: ET.Element, category: str) -> dict[str, Any]:
    """One ``assessmentItem`` with a single choice interaction to a question; ValueError otherwise."""
    body = root.find(f"{{{QTI_NS}}}itemBody")
    if body is None:
        raise ValueError("没有 itemBody（no itemBody）")
    interactions = [e for e in body.iter() if _local(e.tag).endswith("Interaction")]
    kinds = sorted({_local(e.tag) for e in interactions})
    if len(interactions) != 1 or kinds != ["choiceInteraction"]:
        raise ValueError(
            f"不支持的题型 {', '.join(kinds) or '无交互'}，只导入单个选择题交互（unsupported interaction {kinds}; only one choiceInteraction is imported）"
        )
    unsupported = sorted(
        {_local(e.tag) for e in root.iter() if _local(e.tag) in UNSUPPORTED or MATHML_NS in e.tag}
    )
    if unsupported:
        raise ValueError(
            f"含有试卷格式无法表示的内容 {', '.join(unsupported[:3])}（公式、图片或模板变量）"
            f"（has content the paper format cannot carry: {', '.join(unsupported[:3])}）"
        )
    inter = interactions[0]
    resp_id = inter.get("responseIdentifier", "")
    decl = next(
        (
            d
            for d in root.findall(f"{{{QTI_NS}}}responseDeclaration")
            if d.get("identifier") == resp_id
        ),
        None,
    )
    if decl is None:
        raise ValueError(f"缺少 {resp_id} 的 responseDeclaration（no declaration for {resp_id}）")
    key = decl.find(f"{{{QTI_NS}}}correctResponse")
    correct = [
        (v.text or "").strip() for v in (key if key is not None else []) if _local(v.tag) == "value"
    ]
    choices = inter.findall(f"{{{QTI_NS}}}simpleChoice")
    if len(choices) < 2:
        raise ValueError("选项少于两个（fewer than two choices）")
    letters = {c.get("identifier", ""): chr(ord("A") + i) for i, c in enumerate(choices)}
    options = [{"id": letters[c.get("identifier", "")], "text": _text(c)} for c in choices]
    if not correct or any(c not in letters for c in correct):
        raise ValueError("缺少正确答案或答案不在选项中（correct response missing or not a choice）")
    answer = sorted(letters[c] for c in correct)
    multiple = decl.get("cardinality") == "multiple" or int(inter.get("maxChoices", "1") or 0) != 1
    texts = {o["text"].lower() for o in options}
    if not multiple and len(options) == 2 and texts <= JUDGE_TRUE | JUDGE_FALSE:
        qtype = "judge"
    else:
        qtype = "multi" if multiple else "single"
    # the stem: the whole body (lead text, prompt) without the choices themselves
    stem_el = copy.deepcopy(body)
    for parent in list(stem_el.iter()):
        for child in list(parent):
            if _local(child.tag) == "simpleChoice":
                parent.remove(child)
    stem = _text(stem_el)
    if not stem:
        raise ValueError("题干为空（empty stem）")
    return {
        "qid": question_id(category, qtype, stem, options),
        "category": category,
        "type": qtype,
        "stem": stem,
        "options": options,
        "answer": answer,
    }


def read_package(data: bytes, category: str) -> QtiReport:
    """Read a QTI 2.1 content package; raise :class:`QtiError` when it must be refused."""
    zf = _open_zip(data)
    report = QtiReport()
    for ident, rtype, href in _resources(zf):
        if rtype not in ITEM_TYPES | TEST_TYPES:
            continue
        root = _parse_xml(zf, href)
        actual = _local(root.tag)
        expected = "assessmentItem" if rtype in ITEM_TYPES else "assessmentTest"
        if actual != expected:
            raise QtiError(
                "bad_mix",
                f"资源 {ident} 声明为 {rtype}，文件 {href} 却是 {actual}，包不一致已拒绝"
                f"（resource {ident} is declared {rtype} but {href} holds {actual}; refused）",
            )
        if rtype in TEST_TYPES:
            continue
        try:
            q = parse_item(root, category)
        except ValueError as exc:
            report.skipped.append({"item": ident, "file": href, "reason": str(exc)})
            continue
        q["source"] = f"qti:{href}"
        report.questions.append(q)
    if not report.questions:
        reasons = (
            "; ".join(f"{s['item']}: {s['reason']}" for s in report.skipped) or "无题目（no items）"
        )
        raise QtiError(
            "no_choice_items",
            f"包内没有可导入的选择题（{reasons}）（the package has no importable choice items）",
        )
    return report
