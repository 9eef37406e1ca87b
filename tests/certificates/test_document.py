"""Signed links, QR codes and the e-certificate PDF, decoded back with pdfium and OpenCV."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from PIL import Image

from cloudsync.certificates.links import LinkError, LinkSigner, LinkVerifier, new_uid, split_link
from cloudsync.certificates.pdf import CertificateDocument, render_pdf
from cloudsync.certificates.qr import qr_image

from .scan import decode_image, decode_pdf

FACE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces" / "obama_small.jpg"


def decode_qr(image: Image.Image) -> str:
    text = decode_image(image)
    assert text is not None, "no QR code found"
    return text


def test_link_round_trip_and_tampering_refused() -> None:
    signer = LinkSigner.generate()
    uid = new_uid()
    url = signer.link("http://127.0.0.1:5000/", uid)
    assert url.startswith(f"http://127.0.0.1:5000/verify/{uid}?s=")
    assert signer.verify_url(url) == uid
    verifier = LinkVerifier(signer.public_key)
    assert verifier.verify_url(url) == uid

    other = new_uid()
    _, sig = split_link(url)
    forged = [
        url.replace(uid, other),  # signature of one certificate on another
        url[:-2] + ("AA" if not url.endswith("AA") else "BB"),  # altered signature
        url.split("?")[0],  # no signature
        url + "x",  # wrong length
        f"http://127.0.0.1:5000/verify/{uid}?s=!!!",
        f"http://127.0.0.1:5000/verify/../{uid}?s={sig}",
        f"http://127.0.0.1:5000/other/{uid}?s={sig}",
    ]
    for bad in forged:
        with pytest.raises(LinkError) as err:
            verifier.verify_url(bad)
        assert re.search(r"[\u4e00-\u9fff]", str(err.value)), "message in Chinese first"
    with pytest.raises(LinkError):
        LinkVerifier(LinkSigner.generate().public_key).verify_url(url)  # another cloud's key


def test_signer_key_persists_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "certificate-signing.pem"
    first = LinkSigner.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    again = LinkSigner.load_or_create(path)
    uid = new_uid()
    assert again.verify_url(first.link("http://h", uid)) == uid
    assert "BEGIN PUBLIC KEY" in first.public_pem()
    path.write_bytes(b"not a key")
    with pytest.raises(ValueError):
        LinkSigner.load_or_create(path)


def test_qr_decodes_back() -> None:
    url = LinkSigner.generate().link("http://127.0.0.1:8080", new_uid())
    assert decode_qr(qr_image(url)) == url


def _doc(url: str, photo: bytes | None) -> CertificateDocument:
    return CertificateDocument(
        kind_title="燃气经营企业从业人员专业培训考核合格证书",
        role_title="运行、维护和抢修人员（燃气管网工）",
        number="鲁燃GC2026000001",
        holder_name="王小明",
        holder_sex="M",
        id_number="110105********1234",
        company="济宁市甲燃气有限公司",
        valid_from=date(2026, 11, 23),
        valid_until=date(2031, 11, 22),
        issuer="山东省住房和城乡建设厅",
        issued_on=date(2026, 11, 23),
        verify_url=url,
        photo=photo,
    )


@pytest.mark.parametrize("photo", ["face", "none", "broken"])
def test_pdf_embeds_font_and_its_qr_verifies(photo: str) -> None:
    signer = LinkSigner.generate()
    uid = new_uid()
    url = signer.link("http://127.0.0.1:8080", uid)
    data = {"face": FACE.read_bytes(), "none": None, "broken": b"\xff\xd8 not a jpeg"}[photo]
    pdf = render_pdf(_doc(url, data))
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf, "the CJK font is embedded"
    assert b"WenQuanYi" in pdf or b"CertCJK" in pdf

    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        page = document[0]
        text = page.get_textpage().get_text_range()
        for expected in (
            "燃气经营企业从业人员专业培训考核合格证书",
            "王小明",
            "鲁燃GC2026000001",
            "2031年11月22日",
            "山东省住房和城乡建设厅",
        ):
            assert expected in text
        assert "1234" in text and "19800510" not in text
        image = page.render(scale=2).to_pil()
    finally:
        document.close()
    decoded = decode_pdf(pdf)
    assert decoded == url
    assert LinkVerifier(signer.public_key).verify_url(decoded) == uid
    if photo == "face":
        # the photo box is not blank: the face image was drawn
        w, h = image.size
        box = np.asarray(
            image.convert("L").crop((int(w * 0.11), int(h * 0.27), int(w * 0.22), int(h * 0.48)))
        )
        assert box.std() > 20


def test_pdf_png_of_qr_is_scannable_at_small_size() -> None:
    url = LinkSigner.generate().link("https://cloud.example.cn", new_uid())
    buf = io.BytesIO()
    qr_image(url, box_size=3).save(buf, "PNG")
    assert decode_qr(Image.open(buf)) == url


def test_benchmark_prints_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from cloudsync.certificates import bench

    bench.main(["--pdfs", "1", "--links", "5"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["bench"] == "certificates" and figures["pdfs"] == 1 and figures["links"] == 5
