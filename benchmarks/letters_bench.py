"""Time to render a one-page reply letter to PDF and DOCX in a warm process, and peak memory.

    .venv/bin/python benchmarks/letters_bench.py [--runs 50]

Prints one figure a line: ``pdf_median: 61 ms`` … ``peak_rss: 180 MB``.
Targets on the reference machine: PDF median ≤ 300 ms, DOCX median ≤ 30 ms.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from requests_app.letter_contexts import reply_sample
    from workflow.letters.fonts import letter_faces
    from workflow.letters.render import render_letter

    letter_faces()  # font extraction is a one-time set-up, not part of a render
    context = reply_sample("not_held", "reply_notice")  # the one-page 政府信息不存在告知书
    figures = {}
    for fmt in ("pdf", "docx"):
        for _ in range(3):  # warm the process: imports, font configuration, template cache
            render_letter("reply_notice", context, fmt)
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            render_letter("reply_notice", context, fmt)
            timings.append((time.perf_counter() - start) * 1000)
        figures[f"{fmt}_median"] = statistics.median(timings)
        figures[f"{fmt}_p95"] = _percentile(timings, 0.95)
    for name, value in figures.items():
        print(f"{name}: {value:.0f} ms")
    print(f"peak_rss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
