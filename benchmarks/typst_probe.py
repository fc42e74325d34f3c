"""Probe, not part of lks: what would the same letters cost if Typst set them instead of
WeasyPrint? Needs the ``typst`` package, which lks does not depend on:

    .venv/bin/pip install typst && .venv/bin/python benchmarks/typst_probe.py [N]

Each letter of the benchmark mix (bench_beschikkingen) is rendered to HTML as lks does, and
its text (headings, paragraphs, lists, tables, bold) is turned into Typst markup with the same
bundled font, A4 margins and "pagina X van Y" footer. The layout is rougher than the real
letter (no letterhead styling, plain table rules), so this measures the cost of setting the
same amount of text and tables, not a finished Typst letter. Prints the CPU time per letter
of both, and the pages each made.
"""
from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

import lxml.html
import pypdf

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_beschikkingen import letter  # noqa: E402

from lks.documents import beschikking as doc  # noqa: E402

PREAMBLE = '''#set document(title: "beschikking", date: datetime(year: 2026, month: 1, day: 5))
#set page(paper: "a4", margin: (top: 16mm, bottom: 20mm, left: 24mm, right: 18mm),
  footer: context [#set text(size: 7pt); Ons kenmerk KENMERK #h(1fr) pagina
    #counter(page).display() van #counter(page).final().first()])
#set text(font: "LKS Sans", size: 9pt, lang: "nl")
#set par(leading: 0.55em)
#show heading: set text(size: 10pt)
'''


def _tekst(text: str) -> str:
    """A Typst string literal: the text as it is, no markup."""
    return "#" + json.dumps(" ".join(text.split()), ensure_ascii=False)


def _inline(element) -> str:
    parts = [_tekst(element.text)] if element.text and element.text.strip() else []
    for child in element:
        inner = _inline(child)
        parts.append(f"#strong[{inner}]" if child.tag in ("b", "strong") else
                     " \\ " if child.tag == "br" else inner)
        if child.tail and child.tail.strip():
            parts.append(_tekst(child.tail))
    return " ".join(parts)


def _blokken(element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in ("h1", "h2", "h3"):
            out.append(f"\n{'=' * (2 if tag != 'h3' else 3)} {_inline(child)}\n")
        elif tag in ("ul", "ol"):
            out.extend(["", *(f"- {_inline(li)}" for li in child), ""])
        elif tag == "table":
            rijen = child.findall(".//tr")
            n = max((sum(int(c.get("colspan", "1")) for c in r if c.tag in ("td", "th")) for r in rijen),
                    default=1)
            cellen = []
            for rij in rijen:
                cs = [c for c in rij if c.tag in ("td", "th")]
                for c in cs:
                    span = min(int(c.get("colspan", "1")), n)
                    cellen.append(f"table.cell(colspan: {span})[{_inline(c)}]" if span > 1
                                  else f"[{_inline(c)}]")
                cellen += ["[]"] * max(0, n - sum(int(c.get("colspan", "1")) for c in cs))
            out.append(f"\n#table(columns: {n}, stroke: 0.3pt, inset: 3pt, {', '.join(cellen)})\n")
        elif tag in ("div", "section", "header", "footer", "main", "article"):
            _blokken(child, out)
        elif isinstance(tag, str) and tag not in ("style", "script"):
            out.append(f"\n{_inline(child)}\n")


def typst_bron(beschikking) -> bytes:
    body = lxml.html.fromstring(doc.render_html(beschikking)).find("body")
    out = [PREAMBLE.replace("KENMERK", beschikking.kenmerk)]
    _blokken(body, out)
    return "\n".join(out).encode("utf-8")


def _paginas(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    import typst

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    letters = [letter(i) for i in range(n)]
    bronnen = [typst_bron(b) for b in letters]
    compiler = typst.Compiler(font_paths=[str(doc.TEMPLATE_DIR / "fonts")], ignore_system_fonts=True)
    compiler.compile(input=bronnen[0])
    doc.render_pdf(letters[0])
    best_t = best_w = float("inf")
    for _ in range(3):  # fastest of three: other processes only ever slow a run down
        c = time.process_time()
        typst_pdfs = [compiler.compile(input=bron) for bron in bronnen]
        best_t = min(best_t, (time.process_time() - c) / n)
        c = time.process_time()
        weasy_pdfs = [doc.render_pdf(b) for b in letters]
        best_w = min(best_w, (time.process_time() - c) / n)
    assert compiler.compile(input=bronnen[-1]) == typst_pdfs[-1], "Typst not deterministic"
    print(f"{n} brieven: Typst {best_t * 1000:.0f} ms CPU per brief ({sum(map(_paginas, typst_pdfs))} "
          f"pagina's), WeasyPrint {best_w * 1000:.0f} ms ({sum(map(_paginas, weasy_pdfs))} pagina's)")
    print(f"  1.000 brieven op 1 core: Typst {best_t * 1000:.0f} s, WeasyPrint {best_w * 1000:.0f} s")


if __name__ == "__main__":
    main()
