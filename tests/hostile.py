"""Hostile input files, generated on the fly (no binaries are committed): each one must be refused cleanly.

Every builder writes into a folder and returns ``(format, path)`` for ``deps import FORMAT PATH``.  The workbooks
are assembled part by part with :mod:`zipfile` so that each can break exactly one rule of the format.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

__all__ = ["CORPUS", "sheet_xml", "write_xlsx"]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_NODES_HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>node_id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c><c r="C1" t="inlineStr"><is><t>kind</t></is></c></row>'  # noqa: E501
_NODES_ROW = '<row r="2"><c r="A2" t="inlineStr"><is><t>N1</t></is></c><c r="B2" t="inlineStr"><is><t>{name}</t></is></c><c r="C2" t="inlineStr"><is><t>input</t></is></c></row>'  # noqa: E501
_NODES_CSV = "node_id,name,kind\n"


def sheet_xml(rows: str, *, dimension: str | None = None, prolog: str = "") -> str:
    """A worksheet part holding ``rows`` (``<row>`` elements), with an optional ``<dimension ref>``."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{_MAIN}">{dim}<sheetData>{rows}</sheetData></worksheet>'  # noqa: E501


def write_xlsx(
    path: Path,
    sheet: str | bytes | Callable[[zipfile.ZipFile], None],
    *,
    extra: dict[str, bytes] | None = None,
    content_type_extra: str = "",
    workbook_extra: str = "",
) -> Path:
    """A workbook with one sheet named ``nodes``; ``sheet`` is its XML, or a function that writes the part itself."""
    types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{content_type_extra}</Types>"
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">{workbook_extra}'
        '<sheets><sheet name="nodes" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    book_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("xl/workbook.xml", book)
        archive.writestr("xl/_rels/workbook.xml.rels", book_rels)
        if callable(sheet):
            sheet(archive)
        else:
            archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def _stream_member(name: str, head: bytes, repeat: bytes, count: int, tail: bytes) -> Callable[[zipfile.ZipFile], None]:
    """A member written in chunks (a large part without holding it in memory)."""

    def write(archive: zipfile.ZipFile) -> None:
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(head)
            block = repeat * max(1, (1 << 20) // len(repeat))
            written = 0
            while written < count:
                member.write(block)
                written += len(block) // len(repeat)
            member.write(tail)

    return write


def _lie_about_size(path: Path, member: str, declared: int) -> None:
    """Rewrite the uncompressed size that the directory and local header declare for ``member`` (a lying archive)."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<L", data, at + 24, declared)
            local = struct.unpack_from("<L", data, at + 42)[0]
            struct.pack_into("<L", data, local + 22, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


# ------------------------------------------------------------------------------------------------ the corpus
def _dimension_bomb(d: Path) -> tuple[str, Path]:
    rows = _NODES_HEADER + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return "template", write_xlsx(d / "dimension.xlsx", sheet_xml(rows, dimension="A1:XFD1048576"))


def _far_cell(d: Path) -> tuple[str, Path]:
    rows = _NODES_HEADER + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return "template", write_xlsx(d / "far-cell.xlsx", sheet_xml(rows))


def _zip_bomb(d: Path) -> tuple[str, Path]:
    """A genuine 2 GB sheet in a small archive: one deflate block of 1 MiB of rows, repeated 2,000 times."""
    row = b'<row><c t="inlineStr"><is><t>N</t></is></c><c><v>1</v></c><c><v>2</v></c></row>'
    block = row * ((1 << 20) // len(row))
    head = sheet_xml(_NODES_HEADER + "@").split("@")[0].encode()
    tail = b"</sheetData></worksheet>"
    path = write_xlsx(d / "zip-bomb.xlsx", sheet_xml(_NODES_HEADER))
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist() if "worksheets" not in n}
    pieces = [_deflated(head, zlib.Z_FULL_FLUSH), _deflated(block, zlib.Z_FULL_FLUSH) * 2000, _deflated(tail)]
    crc = zlib.crc32(head)
    for _ in range(2000):
        crc = zlib.crc32(block, crc)
    size = len(head) + 2000 * len(block) + len(tail)
    members = [(n, _deflated(b), zlib.crc32(b), len(b)) for n, b in parts.items()]
    members.append(("xl/worksheets/sheet1.xml", b"".join(pieces), zlib.crc32(tail, crc), size))
    _write_raw_zip(path, members)
    return "template", path


def _deflated(data: bytes, mode: int = zlib.Z_FINISH) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(mode)


def _write_raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A ZIP archive of already deflated members ``(name, deflated bytes, crc32, uncompressed size)``."""
    body = bytearray()
    directory = bytearray()
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0)
        body += encoded + data
        directory += struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0, 0, 0, 0, 0, offset
        )
        directory += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))


def _ratio_bomb(d: Path) -> tuple[str, Path]:
    row = b'<row><c t="inlineStr"><is><t>N</t></is></c><c><v>1</v></c></row>'
    head = sheet_xml(_NODES_HEADER + "@").split("@")[0].encode()
    write = _stream_member("xl/worksheets/sheet1.xml", head, row, 600_000, b"</sheetData></worksheet>")
    return "template", write_xlsx(d / "ratio-bomb.xlsx", write)


def _lying_zip(d: Path) -> tuple[str, Path]:
    path = _ratio_bomb(d)[1].rename(d / "lying.xlsx")
    _lie_about_size(path, "xl/worksheets/sheet1.xml", 4096)
    return "template", path


def _content_types_bomb(d: Path) -> tuple[str, Path]:
    path = write_xlsx(d / "content-types.xlsx", sheet_xml(_NODES_HEADER))
    _lie_about_size(path, "[Content_Types].xml", 4_000_000_000)
    return "template", path


def _many_members(d: Path) -> tuple[str, Path]:
    extra = {f"xl/media/pad{i}.bin": b"" for i in range(3000)}
    return "template", write_xlsx(d / "members.xlsx", sheet_xml(_NODES_HEADER), extra=extra)


def _deep_xml(d: Path) -> tuple[str, Path]:
    deep = "<x>" * 50_000 + "</x>" * 50_000
    return "template", write_xlsx(d / "deep.xlsx", sheet_xml(_NODES_HEADER + deep))


def _entity_bomb(d: Path) -> tuple[str, Path]:
    prolog = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(9)
    )
    prolog += "]>"
    rows = _NODES_HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol8;</t></is></c></row>'
    return "template", write_xlsx(d / "entities.xlsx", sheet_xml(rows, prolog=prolog))


def _wide_csv(d: Path) -> tuple[str, Path]:
    folder = d / "wide-csv"
    folder.mkdir()
    header = ["node_id", "name", "kind"] + [f"c{i}" for i in range(20_000)]
    (folder / "nodes.csv").write_text(",".join(header) + "\n" + ",".join(["N1", "a", "input"] + [""] * 20_000))
    return "template", folder


def _wide_duplicates(d: Path) -> tuple[str, Path]:
    folder = d / "wide-dup"
    folder.mkdir()
    (folder / "nodes.csv").write_text("node_id,name,kind," + ",".join(["x"] * 4000) + "\n")
    return "template", folder


def _wide_wgi(d: Path) -> tuple[str, Path]:
    years = ",".join(str(1000 + i) for i in range(20_000))
    path = d / "wgi-wide.csv"
    path.write_text(f"country_name,country_code,{years}\nNetherlands,NLD," + ",".join(["0.5"] * 20_000) + "\n")
    return "wgi", path


def _wide_xlsx(d: Path) -> tuple[str, Path]:
    cells = "".join(f'<c t="inlineStr"><is><t>h{i}</t></is></c>' for i in range(20_000))
    return "template", write_xlsx(d / "wide.xlsx", sheet_xml(f"<row>{cells}</row>"))


def _huge_cell_csv(d: Path) -> tuple[str, Path]:
    folder = d / "huge-cell"
    folder.mkdir()
    (folder / "nodes.csv").write_text(_NODES_CSV + f'N1,"{"x" * 40_000}",input\n')
    return "template", folder


def _huge_cell_field_limit(d: Path) -> tuple[str, Path]:
    folder = d / "huge-field"
    folder.mkdir()
    (folder / "nodes.csv").write_text(_NODES_CSV + f'N1,"{"x" * 5_000_000}",input\n')
    return "template", folder


def _huge_cell_xlsx(d: Path) -> tuple[str, Path]:
    rows = _NODES_HEADER + _NODES_ROW.format(name="x" * 100_000)
    return "template", write_xlsx(d / "huge-cell.xlsx", sheet_xml(rows))


def _control_csv(d: Path) -> tuple[str, Path]:
    folder = d / "control"
    folder.mkdir()
    (folder / "nodes.csv").write_text(_NODES_CSV + "N1,Wafer\x1b[31m,input\nN2,gpj.\u202eexe,input\n")
    return "template", folder


def _control_xlsx(d: Path) -> tuple[str, Path]:
    rows = _NODES_HEADER + _NODES_ROW.format(name="gpj.\u202eexe")
    return "template", write_xlsx(d / "control.xlsx", sheet_xml(rows))


def _formula(d: Path) -> tuple[str, Path]:
    rows = _NODES_HEADER + (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>N1</t></is></c><c r="B2" t="str"><f>UPPER("x")</f></c>'
        '<c r="C2" t="inlineStr"><is><t>input</t></is></c></row>'
    )
    return "template", write_xlsx(d / "formula.xlsx", sheet_xml(rows))


def _macro(d: Path) -> tuple[str, Path]:
    rows = _NODES_HEADER + _NODES_ROW.format(name="Wafer")
    return "template", write_xlsx(d / "macro.xlsx", sheet_xml(rows), extra={"xl/vbaProject.bin": b"\xd0\xcf" * 64})


def _macro_type(d: Path) -> tuple[str, Path]:
    rows = _NODES_HEADER + _NODES_ROW.format(name="Wafer")
    extra = '<Override PartName="/xl/x.bin" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
    return "template", write_xlsx(d / "macro-type.xlsx", sheet_xml(rows), content_type_extra=extra)


def _corrupt_sheet(d: Path) -> tuple[str, Path]:
    return "template", write_xlsx(d / "corrupt.xlsx", sheet_xml(_NODES_HEADER)[:-40])


def _mixed_encoding(d: Path) -> tuple[str, Path]:
    folder = d / "mixed"
    folder.mkdir()
    (folder / "nodes.csv").write_bytes(
        (_NODES_CSV + "N1,Ätzmittel,input\n").encode() + "N2,Ätzgas,input\n".encode("latin-1")
    )
    return "template", folder


def _utf16(d: Path) -> tuple[str, Path]:
    path = d / "baci-utf16.csv"
    path.write_bytes("year,exporter_iso3,importer_iso3,hs92,value_kusd\n2022,NLD,DEU,260111,5\n".encode("utf-16"))
    return "baci", path


def _thousands_baci(d: Path) -> tuple[str, Path]:
    path = d / "baci-thousands.csv"
    path.write_text('year,exporter_iso3,importer_iso3,hs92,value_kusd,qty_t\n2022,NLD,DEU,260111,"1,500",3\n')
    return "baci", path


def _thousands_template(d: Path) -> tuple[str, Path]:
    folder = d / "thousands"
    folder.mkdir()
    (folder / "sources.csv").write_text("source_id,title\nS1,A source\n")
    (folder / "nodes.csv").write_text(_NODES_CSV + "N1,Wafer,input\n")
    (folder / "provision.csv").write_text(
        'node_id,supplier_type,supplier_id,source_id,evidence,share_pct\nN1,country,NLD,S1,estimated,"60,000"\n'
    )
    return "template", folder


def _header_only(d: Path) -> tuple[str, Path]:
    folder = d / "header-only"
    folder.mkdir()
    (folder / "nodes.csv").write_text(_NODES_CSV)
    return "template", folder


def _header_only_xlsx(d: Path) -> tuple[str, Path]:
    return "template", write_xlsx(d / "header-only.xlsx", sheet_xml(_NODES_HEADER))


def _many_rows(d: Path) -> tuple[str, Path]:
    path = d / "baci-rows.csv"
    with path.open("w") as handle:
        handle.write("year,exporter_iso3,importer_iso3,hs92,value_kusd\n")
        handle.write("2022,NLD,DEU,260111,1\n" * 1_000_001)
    return "baci", path


#: name -> builder; every file must be refused.
CORPUS: dict[str, Callable[[Path], tuple[str, Path]]] = {
    "dimension bomb": _dimension_bomb,
    "far cell reference": _far_cell,
    "zip bomb (2 GB sheet)": _zip_bomb,
    "compression-ratio bomb": _ratio_bomb,
    "archive lying about a size": _lying_zip,
    "4 GB content types": _content_types_bomb,
    "3,000 archive members": _many_members,
    "deep XML": _deep_xml,
    "entity expansion": _entity_bomb,
    "20,000 columns (CSV)": _wide_csv,
    "4,000 repeated headers": _wide_duplicates,
    "20,000 year columns (WGI)": _wide_wgi,
    "20,000 columns (XLSX)": _wide_xlsx,
    "huge cell (CSV)": _huge_cell_csv,
    "huge cell over csv's field limit": _huge_cell_field_limit,
    "huge cell (XLSX)": _huge_cell_xlsx,
    "control characters (CSV)": _control_csv,
    "bidirectional override (XLSX)": _control_xlsx,
    "formula without saved value": _formula,
    "macro part": _macro,
    "macro-enabled content type": _macro_type,
    "corrupt sheet XML": _corrupt_sheet,
    "mixed encodings": _mixed_encoding,
    "UTF-16 text": _utf16,
    "thousands separator (BACI)": _thousands_baci,
    "thousands separator (template share)": _thousands_template,
    "header only (CSV)": _header_only,
    "header only (XLSX)": _header_only_xlsx,
    "1,000,001 rows": _many_rows,
}
