"""Benchmark of the certificate hot paths; prints one JSON line.

``python -m cloudsync.certificates.bench [--pdfs 10] [--links 1000]``: renders PDFs (with the
QR code and the CJK font) and signs/verifies verification links. Bounded in count, local only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from cloudsync.certificates.links import LinkSigner, new_uid
from cloudsync.certificates.pdf import CertificateDocument, render_pdf


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures as one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pdfs", type=int, default=10)
    parser.add_argument("--links", type=int, default=1000)
    args = parser.parse_args(argv)
    pdfs, links = max(1, min(args.pdfs, 200)), max(1, min(args.links, 100_000))

    signer = LinkSigner.generate()
    uids = [new_uid() for _ in range(links)]
    t0 = time.perf_counter()
    urls = [signer.link("http://127.0.0.1:8600", u) for u in uids]
    t1 = time.perf_counter()
    for url in urls:
        signer.verify_url(url)
    t2 = time.perf_counter()

    times, size = [], 0
    for i in range(pdfs):
        doc = CertificateDocument(
            "燃气经营企业从业人员专业培训考核合格证书", "安全生产管理人员", f"鲁燃GB2026{i:06d}", "王小明", "M",
            "370811********0116", "济宁港华燃气有限公司", date(2026, 11, 23), date(2031, 11, 22),
            "山东省住房和城乡建设厅", date(2026, 11, 23), urls[i % len(urls)],
        )  # fmt: skip
        s = time.perf_counter()
        size = len(render_pdf(doc))
        times.append((time.perf_counter() - s) * 1000)
    print(
        json.dumps(
            {
                "bench": "certificates",
                "links": links,
                "sign_us_per_link": round((t1 - t0) / links * 1e6, 1),
                "verify_us_per_link": round((t2 - t1) / links * 1e6, 1),
                "pdfs": pdfs,
                "pdf_ms_first": round(times[0], 1),
                "pdf_ms_median": round(statistics.median(times), 1),
                "pdf_bytes": size,
            }
        )
    )


if __name__ == "__main__":
    main()
