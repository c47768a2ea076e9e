"""Small real documents for the demo and the tests: a Word file built with python-docx and a
PDF written out by hand (no PDF library is needed for that). The PDF's Chinese text uses the
standard Adobe font STSong-Light, which readers supply themselves (pdf.js maps it through its
CJK character maps), with a ToUnicode map so that the text can be extracted for search."""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as WordDocument

PAGE_LINES = 28


def _hex(text: str) -> str:
    # UniGB-UCS2-H: each character is its two-byte UCS-2 code.
    return "".join(f"{ord(ch):04X}" for ch in text if ord(ch) <= 0xFFFF)


def _to_unicode_cmap() -> bytes:
    # Codes are UCS-2 already: map every code to itself (ranges differ only in the last byte,
    # at most 100 ranges per block, as the CMap format asks).
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256)]
    blocks = []
    for start in range(0, len(ranges), 100):
        chunk = ranges[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange")
    body = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    return body.encode("ascii")


def _page_stream(title: str, lines: Sequence[str]) -> bytes:
    ops = ["BT", "/F1 18 Tf", "72 780 Td", f"<{_hex(title)}> Tj", "/F1 12 Tf", "0 -36 Td"]
    for line in lines:
        ops += [f"<{_hex(line)}> Tj", "0 -22 Td"]
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


def make_pdf(title: str, paragraphs: Sequence[str]) -> bytes:
    """A valid PDF 1.4 of A4 pages: the title on each page, then the paragraphs, cut into
    lines of 38 characters."""
    lines: list[str] = []
    for paragraph in paragraphs:
        text = "　　" + paragraph
        lines += [text[i : i + 38] for i in range(0, len(text), 38)] or [""]
    pages = [lines[i : i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)] or [[]]
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree's number is known
    pages_obj = add(b"")
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
        b"/FontDescriptor %d 0 R /DW 1000 >>" % descriptor
    )
    cmap = _to_unicode_cmap()
    to_unicode = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap))
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode)
    )
    kids = []
    for page_lines in pages:
        stream = _page_stream(title, page_lines)
        content = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_obj, font, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_obj
    refs = " ".join(f"{k} 0 R" for k in kids).encode("ascii")
    objects[pages_obj - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, catalog, xref)
    )
    return out.getvalue()


def make_docx(title: str, paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    """A Word file: a heading, the paragraphs and, if given, a table (first row the header)."""
    document = WordDocument()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
