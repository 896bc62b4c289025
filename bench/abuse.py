"""Hostile files through the upload gate: `python bench/abuse.py` (a few minutes).

Each file is generated here (the tests build small ones with the same functions) and run through
`manage.py import_ocop --dry-run` in its own process, on a throwaway SQLite database holding the
administrative units and reference fixtures (migrated once). For each: the exit code, the first
line of the answer, the wall and CPU time and the peak resident memory of that process (os.wait4's
rusage, ru_maxrss: what getrusage(RUSAGE_CHILDREN) reports, for that child alone; it counts the
Rust reader's memory too). Then a valid sheet at the row cap (sheets.MAX_ROWS) is imported for
real through the command. Goals: each hostile file refused or finished within 10 s and 256 MB; the
valid sheet at the cap within 512 MB. Prints a markdown table, also written to bench/out/abuse.md.
"""

import codecs
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

from openpyxl.utils.cell import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
HEADERS = ["Tỉnh", "Huyện", "Xã", "Chủ thể", "Loại hình chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Số sao", "Điểm",
           "Số quyết định", "Ngày quyết định", "Năm công nhận", "Cấp công nhận", "Ngày hết hạn"]
# Rows that import (Bắc Kạn, 2021): Vietnamese with tone marks on letters with and without their own accents.
VALID_ROWS = [
    ["Bắc Kạn", "Na Rì", "", "Hợp tác xã Tài Hoan", "Hợp tác xã", "Miến dong Tài Hoan", "1", "4", "75", "2616/QĐ-UBND",
     "29/12/2021", "", "tỉnh", ""],
    ["Bắc Kạn", "", "", "Hộ kinh doanh Nguyễn Thị Hậu", "Hộ kinh doanh", "Mật ong bạc hà", "1", "3", "", "", "", "2021",
     "tỉnh", ""],
]
GOAL_SECONDS, GOAL_MB, CAP_GOAL_MB = 10, 256, 512


# --- Building files ---------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>")
_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="OCOP" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                  'Target="worksheets/sheet1.xml"/></Relationships>')


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def cell(ref: str, text) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    return '<row r="1">' + "".join(cell(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADERS)) + "</row>"


def workbook(sheet_data: str, dimension: str | None = None, extra: dict[str, bytes] | None = None,
             sheet_path: str = "worksheets/sheet1.xml", prolog: str = "") -> bytes:
    """A minimal .xlsx whose one sheet (at xl/`sheet_path`) holds `sheet_data` (<row> elements), with its
    <dimension>, and `prolog` before its root element."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
             f"{declared}<sheetData>{sheet_data}</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS),
                           ("xl/workbook.xml", _WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.replace("worksheets/sheet1.xml", sheet_path)),
                           (f"xl/{sheet_path}", sheet)):
            book.writestr(name, text)
        for name, content in (extra or {}).items():
            book.writestr(name, content)
    return out.getvalue()


def far_cell_xlsx() -> bytes:
    """1.8 KB: the headers, and one value in the last cell a sheet has (XFD1048576)."""
    return workbook(header_row() + f'<row r="1048576">{cell("XFD1048576", "x")}</row>', "A1:XFD1048576")


def declared_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """The headers, and a sheet that declares (and has a value on) row `rows`."""
    return workbook(header_row() + f'<row r="{rows}">{cell(f"A{rows}", "Bắc Kạn")}</row>', f"A1:N{rows}")


def dense_xlsx(rows: int = 59_000, columns: int = 20) -> bytes:
    """The product headers over the densest grid of numbers the gate lets through (rows × columns just
    under sheets.MAX_CELLS): every cell is read, every row parsed, and fails."""
    letters = [get_column_letter(n) for n in range(1, columns + 1)]
    body = "".join(f'<row r="{r}">'
                   + "".join(f'<c r="{c}{r}"><v>{(r * 7 + i) % 1000}</v></c>' for i, c in enumerate(letters))
                   + "</row>" for r in range(2, rows + 2))
    return workbook(header_row() + body)




def zip_bomb_xlsx(unzipped: int = 1 << 30) -> bytes:
    """A valid small sheet, and a part that unzips to `unzipped` bytes (of zeros: ~1,000 to 1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        with bomb.open("xl/media/image1.bin", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 20)
            for _ in range(unzipped // len(block)):
                part.write(block)
    valid = workbook(header_row())
    with zipfile.ZipFile(io.BytesIO(valid)) as source, zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
    return buffer.getvalue()


def shared_strings_xlsx(texts: list[str], cells: int, columns: int = 1, index: int = 0) -> bytes:
    """The headers, `cells` cells (in `columns` columns) each naming shared string `index`, and the
    shared strings `texts`: the reader copies the string into every cell that names it."""
    rows, letters = cells // columns, [get_column_letter(n) for n in range(1, columns + 1)]
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>{index}</v></c>' for c in letters) + "</row>"
                   for r in range(2, rows + 2))
    strings = "".join(f"<si><t>{text}</t></si>" for text in texts)
    shared = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{strings}</sst>'
    return workbook(header_row() + body, extra={"xl/sharedStrings.xml": shared})


def duplicate_reference_xlsx() -> bytes:
    """A cell with two references, the second at XFD1048576 (not well-formed: XML allows one)."""
    return workbook(header_row() + '<row r="2"><c r="A2" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')


def padded_relationships_xlsx(padding: int = 1_100_000) -> bytes:
    """The sheet at xl/evil.xml with a value at XFD1048576, named by relationships padded past 1 MB."""
    content = workbook(header_row() + f'<row r="1048576">{cell("XFD1048576", "x")}</row>', sheet_path="evil.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as padded:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"<Relationship ", b"<!--" + b" " * padding + b"--><Relationship ", 1)
            padded.writestr(item, data)
    return out.getvalue()


def many_sheets_xlsx(count: int = 1_000_000) -> bytes:
    """A workbook.xml listing `count` sheets and `count` defined names."""
    content = workbook(header_row())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>",
                                    b'<sheet name="S" sheetId="1" r:id="rId1"/>' * count + b"</sheets><definedNames>"
                                    + b'<definedName name="n">S!$A$1</definedName>' * count + b"</definedNames>")
            book.writestr(item, data)
    return out.getvalue()


def csv_text(rows: list[list], separator: str = ",") -> str:
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows([HEADERS, *rows])
    return out.getvalue()


def cp1258(text: str) -> bytes:
    """`text` as Vietnamese Windows writes it: letters with their own accents (â, ơ, đ…) as one
    byte, tone marks as separate combining bytes."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
            letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
            out += (letter + "".join(tones)).encode("cp1258")
    return bytes(out)


def valid_csv_files() -> dict[str, bytes]:
    """The valid rows as offices save them: each should import as the UTF-8 csv does."""
    text = csv_text(VALID_ROWS)
    ragged = csv_text([row[:11] for row in VALID_ROWS[:1]] + [row + ["", ""] for row in VALID_ROWS[1:]])
    return {
        "utf8.csv": text.encode("utf-8"),
        "utf8-bom.csv": codecs.BOM_UTF8 + text.encode("utf-8"),
        "cp1258.csv": cp1258(text),
        "utf16.csv": text.encode("utf-16"),
        "semicolon.csv": csv_text(VALID_ROWS, ";").encode("utf-8"),
        "tab.csv": codecs.BOM_UTF16_LE + csv_text(VALID_ROWS, "\t").encode("utf-16-le"),
        "ragged.csv": ragged.encode("utf-8"),
    }


def long_cell_csv(length: int = 200_000) -> bytes:
    return csv_text([VALID_ROWS[0][:3] + ["x" * length] + VALID_ROWS[0][4:]]).encode("utf-8")


def garbage_csv(size: int = 4_800_000, row_bytes: int = 40, seed: int = 1) -> bytes:
    """The right headers over `size` bytes of rows of random printable junk, `row_bytes` a row."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ,;.-/ăâđêôơưáàảãạ"
    lines, total = [";".join(HEADERS)], 0
    while total < size:
        line = "".join(rng.choice(alphabet) for _ in range(row_bytes))
        lines.append(line)
        total += len(line.encode()) + 1
    return "\n".join(lines).encode("utf-8")


def header_formula_csv() -> bytes:
    """A bad row under a header that is a formula: it comes back in the rejected rows."""
    return csv_text([["Bắc Kạn", "", "", "HTX A", "", "Miến", "1", "9", "", "", "29/12/2021", "", "", ""]]).replace(
        "Ngày hết hạn", '=HYPERLINK("http://evil.example/","Ngày hết hạn")', 1).encode("utf-8")


def xls_file() -> bytes:
    """The start of an old binary workbook (OLE2): what Excel 97–2003 writes."""
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504


def hostile_files() -> dict[str, bytes]:
    return {
        "far-cell XFD1048576.xlsx": far_cell_xlsx(),
        "million declared rows.xlsx": declared_rows_xlsx(),
        "zip bomb (1 GB).xlsx": zip_bomb_xlsx(),
        "densest grid within the caps (59,000 × 20).xlsx": dense_xlsx(),
        "garbage over the row cap.csv": garbage_csv(),
        "garbage under the row cap.csv": garbage_csv(row_bytes=85),
        "random bytes.csv": random.Random(2).randbytes(4_800_000),
        "200,000-character cell.csv": long_cell_csv(),
        "6 MB.csv": b"a," * 3_000_001,
        "old Excel.xls": xls_file(),
        "macros.xlsm": workbook(header_row()),
        "header formula.csv": header_formula_csv(),
        "cell with two references.xlsx": duplicate_reference_xlsx(),
        "relationships padded past 1 MB.xlsx": padded_relationships_xlsx(),
        "90 MB shared string × 20 cells.xlsx": shared_strings_xlsx(["A" * 90_000_000], 20, columns=20),
        "4 MB shared string × 1,000 cells.xlsx": shared_strings_xlsx(["B" * 4_000_000], 1_000),
        "1 MB shared string × 300 cells.xlsx": shared_strings_xlsx(["B" * 1_000_000], 300),
        "5,000-character shared string × 120,000 cells.xlsx": shared_strings_xlsx(["D" * 4_999], 120_000, columns=2),
        "5.5 M shared strings.xlsx": shared_strings_xlsx(["a"] * 5_500_000, 0),
        "text at the bound (5,000 × ạ × 3,999 cells).xlsx": shared_strings_xlsx(["ạ" * 5_000], 3_999),
        "million sheets and names.xlsx": many_sheets_xlsx(),
        "90 MB inline cell.xlsx": workbook(header_row() + f'<row r="2">{cell("A2", "C" * 90_000_000)}</row>'),
        "two million nested elements.xlsx": workbook(header_row() + "<extLst>" + "<a>" * 2_000_000 + "</a>" * 2_000_000
                                                      + "</extLst>"),
        **{f"valid {name}": content for name, content in valid_csv_files().items()},
    }


# --- Running them -----------------------------------------------------------------------------

def run(args: list[str], env: dict, timeout: float = 120) -> dict:
    """Run `manage.py args` in its own process: exit code, first line of output, wall and CPU seconds, peak MB."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return {"code": process.returncode, "first": lines[0] if lines else "", "traceback": "Traceback" in text,
            "s": seconds, "cpu": usage.ru_utime + usage.ru_stime, "mb": usage.ru_maxrss / 1024}


# The columns of the sheet at the row cap: with all fourteen, 60,000 rows of bench/imports.py's
# generator are 5.4 MB, over the size cap; these keep every row meaning the same.
CAP_COLUMNS = ["Tỉnh", "Huyện", "Xã", "Chủ thể", "Tên sản phẩm", "Nhóm sản phẩm", "Số sao", "Số quyết định",
               "Ngày quyết định", "Năm công nhận", "Cấp công nhận"]


def write_files(directory: Path) -> None:
    """Write every file into `directory` (NN.suffix) with manifest.json [[name, file], …]: run in a child
    process (`--write DIR`), so the process that starts the measured ones stays small (a child's
    peak RSS starts from its parent's at fork)."""
    manifest = []
    for index, (name, content) in enumerate(hostile_files().items()):
        manifest.append([name, f"{index:02d}{Path(name).suffix}"])
        (directory / manifest[-1][1]).write_bytes(content)
    (directory / "manifest.json").write_text(json.dumps(manifest))


def write_cap_sheet(path: Path) -> None:
    """A valid sheet of sheets.MAX_ROWS rows (bench/imports.py's generator, CAP_COLUMNS); needs the
    database (run in a child with DATABASE_URL set)."""
    import django

    django.setup()
    import openpyxl

    from bench.imports import HEADERS as ALL_HEADERS
    from bench.imports import sheet_rows
    from imports.reading import MAX_ROWS

    keep = [ALL_HEADERS.index(header) for header in CAP_COLUMNS]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("OCOP")
    sheet.append(CAP_COLUMNS)
    for row in sheet_rows(MAX_ROWS)[0]:
        sheet.append([row[i] for i in keep])
    book.save(path)


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'abuse.sqlite3'}", "DEBUG": "false",
               "SECRET_KEY": "bench-only-not-secret", "RUST_BACKTRACE": "0",
               "DJANGO_SETTINGS_MODULE": "ocop_dashboard.settings"}
        for args in (["migrate", "-v0"], ["load_admin_units"], ["loaddata", "product_groups", "indicators", "-v0"]):
            subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([sys.executable, __file__, "--write", str(work)], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, __file__, "--cap-sheet", str(work / "cap.xlsx")], cwd=ROOT, env=env, check=True)
        files = [*json.loads((work / "manifest.json").read_text()), ["row cap (real import).xlsx", "cap.xlsx"]]
        lines = ["| file | size | exit | answer (first line; English half) | s | CPU s | peak RSS MB | goal |",
                 "|---|---|---|---|---|---|---|---|"]
        for name, file in files:
            path = work / file
            real = name.startswith("row cap")
            result = run(["import_ocop", str(path), *([] if real else ["--dry-run"])], env, timeout=600 if real else 60)
            limit = CAP_GOAL_MB if real else GOAL_MB
            met = (result["code"] in (0, 1) and not result["traceback"] and result["mb"] <= limit
                   and (real or result["s"] <= GOAL_SECONDS))
            answer = result["first"].replace("|", "/").removeprefix("CommandError: ")
            answer = answer.rpartition(" / ")[2] if " / " in answer else answer  # the English half
            lines.append(f"| {name} | {path.stat().st_size:,} B | {result['code']} | {answer[:100]} | "
                         f"{result['s']:.2f} | {result['cpu']:.2f} | {result['mb']:.0f} | "
                         f"{'met' if met else '**missed**'} |")
            print(lines[-1], flush=True)
    table = "\n".join(lines)
    OUT.mkdir(exist_ok=True)
    (OUT / "abuse.md").write_text(table + "\n")
    print("\n" + table)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write"]:
        write_files(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["--cap-sheet"]:
        write_cap_sheet(Path(sys.argv[2]))
    else:
        main()
