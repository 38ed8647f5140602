"""Hostile and broken input files: each is refused with exit 2, a Russian message naming the file (and the sheet,
row and column where there are some), in bounded memory, and the store stays as it was.

Every file is generated here, small: raw ZIP parts written with ``zipfile``, workbooks with openpyxl, CSV as bytes.
"""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from sferum_lib.cli import main
from sferum_lib.errors import InputFileError
from sferum_lib.store import Store
from sferum_lib.workbook.guard import LIMITS, Limits, check_xlsx
from tests.helpers import clean_book, set_cell, write_csv_folder, write_xlsx

ROOT = Path(__file__).resolve().parents[2]

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def raw_xlsx(path: Path, sheets: dict[str, str], strings: list[str] | None = ("ID",)) -> Path:
    """A minimal workbook: each sheet's ``<sheetData>`` content as given, these shared strings (None: no part)."""
    sheet_tags = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(sheets, start=1)
    )
    workbook = f'<?xml version="1.0"?><workbook {_NS} xmlns:r="{_REL_NS}"><sheets>{sheet_tags}</sheets></workbook>'
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    rels += f'<Relationship Id="rIdS" Type="{_REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    items = "".join(f"<si><t>{s}</t></si>" for s in strings or ())
    sst = f'<?xml version="1.0"?><sst {_NS}>{items}</sst>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>',
        )
        for i, rows in enumerate(sheets.values(), start=1):
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0"?><worksheet {_NS}><sheetData>{rows}</sheetData></worksheet>',
            )
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", sst)
    return path


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A store holding one good import: a refused file must leave it exactly as it is."""
    path = tmp_path / "store.db"
    assert main(["--store", str(path), "import", str(write_xlsx(clean_book(), tmp_path / "good.xlsx"))]) == 0
    return path


def _fingerprint(path: Path) -> tuple[str, list]:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with Store(path) as opened:
        items = [(s.number, s.source, s.rows) for s in opened.snapshots()]
    return digest, items


def refuse(store: Path, source: Path, capsys, *words: str) -> str:
    """Import ``source`` through the CLI: exit 2, the file named, every word present, the store unchanged."""
    before = _fingerprint(store)
    code = main(["--store", str(store), "import", str(source)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Внутренняя ошибка" not in err and "Traceback" not in err
    assert f"«{source.name}»" in err or f"«{source}»" in err
    for word in words:
        assert word in err, (word, err)
    assert "\x1b" not in err and "\x00" not in err
    assert _fingerprint(store) == before
    return err


# --- size: refused before the Excel reader sees the file, in bounded memory --------------------------------------


def _run_limited(store: Path, source: Path) -> tuple[int, str, int]:
    """Import in a child process under a 3 GB address-space cap; return its exit code, stderr and peak RSS (MB)."""
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        from sferum_lib.cli import main
        code = main(["--store", {str(store)!r}, "import", {str(source)!r}])
        # the peak of this process's own memory (VmHWM): ru_maxrss would carry over the parent's from the fork
        with open("/proc/self/status") as status:
            print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024)
        sys.exit(code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    peak = int(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else -1
    return done.returncode, done.stderr, peak


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        # one cell at the last column and row: the reader would allocate 549 GB and abort the process
        (inline("XFD1048576", "x"), ("XFD1048576", "столбцов больше предела 200")),
        # one cell at the last row: a million empty rows for two cells of data
        (inline("A1048576", "x"), ("A1048576", "пустых строк")),
        # cells without an «r»: their column counts from the row's cells before them
        ('<c t="s"><v>0</v></c>' + "<c><v>1</v></c>" * 300, ("столбцов больше предела",)),
    ],
    ids=["XFD1048576", "A1048576", "unnumbered-cells"],
)
def test_a_cell_far_away_is_refused_in_bounded_memory(tmp_path, store, cells, words):
    rows = f'<row r="1">{inline("A1", "ID")}</row><row r="1048576">{cells}</row>'
    source = raw_xlsx(tmp_path / "далеко.xlsx", {"Сотрудники": rows})
    assert source.stat().st_size < 20_000
    before = _fingerprint(store)
    code, err, peak = _run_limited(store, source)
    assert code == 2, err
    assert "«далеко.xlsx»" in err and "лист «Сотрудники»" not in err.splitlines()[0]
    assert "на листе «Сотрудники»" in err
    for word in words:
        assert word in err
    assert 0 < peak < 300, peak
    assert _fingerprint(store) == before


def test_a_zip_bomb_of_shared_strings_is_refused_in_bounded_memory(tmp_path, store):
    source = tmp_path / "бомба.xlsx"
    raw_xlsx(source, {"Сотрудники": f'<row r="1">{inline("A1", "ID")}</row>'}, strings=None)
    # shared strings that unpack past the limit, written in pieces (never whole in memory)
    with (
        zipfile.ZipFile(source, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w") as part,
    ):
        piece = b"<si><t>" + b"A" * 1000 + b"</t></si>"
        part.write(f'<?xml version="1.0"?><sst {_NS}>'.encode())
        for _ in range(LIMITS.shared_strings_bytes // (len(piece) * 1000) + 2):
            part.write(piece * 1000)
        part.write(b"</sst>")
    assert source.stat().st_size < 2_000_000
    before = _fingerprint(store)
    code, err, peak = _run_limited(store, source)
    assert code == 2, err
    assert "«бомба.xlsx»" in err and "300 МБ" in err
    assert 0 < peak < 300, peak
    assert _fingerprint(store) == before


def _patch_sizes(path: Path, member: str, size: int) -> None:
    """Make the archive lie: claim ``size`` unpacked bytes for ``member`` in both of its headers."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    struct.pack_into("<I", data, local + 22, size)
    start = 0
    while (central := data.find(b"PK\x01\x02", start)) >= 0:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + name_len]) == name:
            struct.pack_into("<I", data, central + 24, size)
        start = central + 4
    path.write_bytes(bytes(data))


def test_sizes_the_archive_claims_are_not_trusted(tmp_path):
    strings = [f"текст {i}" for i in range(20_000)]
    source = raw_xlsx(tmp_path / "ложь.xlsx", {"Сотрудники": f'<row r="1">{inline("A1", "ID")}</row>'}, strings)
    small = Limits(shared_strings_bytes=100_000)
    with pytest.raises(InputFileError, match="sharedStrings"):
        check_xlsx(source, small)
    _patch_sizes(source, "xl/sharedStrings.xml", 1_000)  # now it claims 1 KB
    with pytest.raises(InputFileError, match="sharedStrings"):
        check_xlsx(source, small)
    with pytest.raises(InputFileError, match="не совпадает по размеру"):
        check_xlsx(source)


def test_limits_are_generous_for_a_real_workbook(tmp_path):
    """A workbook as Excel writes it, with ten thousand rows, passes the check untouched."""
    book = clean_book()
    header = book["Обучающиеся"][0]
    template = book["Обучающиеся"][1]
    book["Обучающиеся"] = [header] + [[f"U{i:05}", *template[1:]] for i in range(10_000)]
    check_xlsx(write_xlsx(book, tmp_path / "большая.xlsx"))


# --- files that are not what they say or are damaged -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("Фамилия;Имя\nИванов;Иван\n".encode(), ("не является книгой Excel",)),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ("старого формата", ".xls")),
        (b"", ("пуст",)),
        (b"%PDF-1.7\n", ("PDF",)),
    ],
    ids=["text", "xls", "empty", "pdf"],
)
def test_a_file_that_is_not_a_workbook_says_so_in_russian(tmp_path, store, capsys, content, words):
    source = tmp_path / "книга.xlsx"
    source.write_bytes(content)
    err = refuse(store, source, capsys, *words)
    assert "лист «книга.xlsx»" not in err


def test_a_cut_off_archive_is_damaged(tmp_path, store, capsys):
    whole = write_xlsx(clean_book(), tmp_path / "целая.xlsx").read_bytes()
    source = tmp_path / "обрезана.xlsx"
    source.write_bytes(whole[: len(whole) // 2])
    refuse(store, source, capsys, "повреждён")


@pytest.mark.parametrize(
    ("rows", "strings", "words"),
    [
        (f'<row r="1">{inline("A1", "ID")}</row><row r="2"><c r="A2" t="s"><v>0</c></row>', ("ID",), ("XML",)),
        (f'<row r="1">{inline("A1", "ID")}</row><row r="2"><c r="A2" t="s"<v>0</v></c></row>', ("ID",), ("XML",)),
        (f'<row r="1">{inline("A1", "&foo;")}</row>', ("ID",), ("неизвестная сущность",)),
        ('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', ("ID",), ("таблице текстов",)),
        ('<row r="1"><c r="A1" t="n"><v>abc</v></c></row>', ("ID",), ("не читается",)),
    ],
    ids=["unclosed-tag", "broken-attribute", "undefined-entity", "missing-shared-string", "bad-number"],
)
def test_broken_sheet_xml_names_the_file_and_the_sheet(tmp_path, store, capsys, rows, strings, words):
    source = raw_xlsx(tmp_path / "испорчена.xlsx", {"Сотрудники": rows}, list(strings))
    err = refuse(store, source, capsys, *words)
    assert "Сотрудники" in err


# --- CSV that does not parse -------------------------------------------------------------------------------------


def _csv_folder(tmp_path: Path, staff: bytes) -> Path:
    folder = write_csv_folder(clean_book(), tmp_path / "csv")
    (folder / "Сотрудники.csv").write_bytes(staff)
    return folder


_HEADER = "ID;Фамилия;Имя;Должность\r\n".encode()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("E01;Морозова;Алла;руководитель\r\n".encode() + b"E02;\xff\xfe;A;x\r\n", ("строка 3", "UTF-8")),
        (("E01;" + "x" * 200_000 + ";Алла;руководитель\r\n").encode(), ("строка 2", "131 072")),
        ('E01;"Морозова;Алла;руководитель\r\nE02;Сергеев;Антон;методист\r\n'.encode(), ("строка 2", "кавычка")),
        ('E01;"Морозова"а;Алла;руководитель\r\n'.encode(), ("строка 2", "кавычк")),
        ('E01;"Морозова;Алла;руководитель\r\nE02;Сер"геев;Антон;методист\r\n'.encode(), ("строка 2", "кавычк")),
    ],
    ids=["bad-byte", "field-over-limit", "quote-never-closed", "text-after-quote", "quote-closed-later"],
)
def test_csv_that_does_not_parse_names_the_file_and_the_line(tmp_path, store, capsys, body, words):
    folder = _csv_folder(tmp_path, _HEADER + body)
    err = refuse(store, folder, capsys, "файл «Сотрудники.csv»", *words)
    assert "лист «Сотрудники»" not in err


def test_a_windows_1251_csv_still_imports(tmp_path, store):
    folder = write_csv_folder(clean_book(), tmp_path / "csv", encoding="cp1251")
    assert main(["--store", str(store), "import", str(folder)]) == 0


# --- control characters ------------------------------------------------------------------------------------------


def test_escape_sequence_in_an_xlsx_cell_is_refused_and_shown_visibly(tmp_path, store, capsys):
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Фамилия", "Лыс_x001B_[31mенко")  # how Excel stores ESC in a cell
    set_cell(book, "Родители", "R01", "Фамилия", "Сав_x0000_ченко")
    err = refuse(
        store,
        write_xlsx(book, tmp_path / "упр.xlsx"),
        capsys,
        "лист «Сотрудники», строка 4, столбец «Фамилия»",
        "Лыс\\x1b[31mенко",
        "U+001B (ESC)",
        "лист «Родители», строка 2",
        "U+0000 (NUL)",
    )
    assert "\x1b" not in err


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x07", "\x9b", "\u202e"])
def test_control_characters_in_csv_are_refused(tmp_path, store, capsys, char):
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Имя", f"Мар{char}ина")
    err = refuse(store, write_csv_folder(book, tmp_path / "csv"), capsys, "строка 4", "столбец «Имя»", "управляющий")
    assert char not in err


def test_errors_copy_of_a_file_with_control_characters_is_written(tmp_path, store, capsys):
    from openpyxl import load_workbook

    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Имя", "Мар\x1bина")
    folder = write_csv_folder(book, tmp_path / "csv")
    copy = tmp_path / "ошибки.xlsx"
    assert main(["--store", str(store), "import", str(folder), "--errors-to", str(copy)]) == 2
    errors = load_workbook(copy)["Ошибки"]
    assert [c.value for c in errors[2]][:4] == ["Сотрудники", 4, "Имя", "Мар\\x1bина"]


def test_line_breaks_inside_an_xlsx_cell_become_spaces(tmp_path):
    from sferum_lib.workbook import import_workbook

    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Должность", "педагог\nдополнительного\tобразования")
    snapshot = import_workbook(write_xlsx(book, tmp_path / "перенос.xlsx")).snapshot
    assert snapshot.staff.set_index("id").loc["E03", "position"] == "педагог дополнительного образования"


# --- sheets with the same name -----------------------------------------------------------------------------------


def test_two_sheets_differing_by_case_or_trailing_space_are_an_error(tmp_path, store, capsys):
    rows = f'<row r="1">{inline("A1", "ID")}</row>'
    source = raw_xlsx(tmp_path / "два листа.xlsx", {"Сотрудники": rows, "сотрудники ": rows})
    refuse(store, source, capsys, "лист «сотрудники »", "уже есть: «Сотрудники»")


def test_two_csv_files_differing_by_case_are_an_error(tmp_path, store, capsys):
    folder = write_csv_folder(clean_book(), tmp_path / "csv")
    (folder / "сотрудники.csv").write_bytes((folder / "Сотрудники.csv").read_bytes())
    refuse(store, folder, capsys, "уже есть")


# --- values a person cannot see, through the command line ------------------------------------------------------


def test_look_alike_ids_out_of_range_dates_and_end_before_start_through_the_cli(tmp_path, store, capsys):
    from tests.helpers import D

    book = clean_book()
    book["Родители"].append(["R0\u0031\u200b", "Морозов", "Пётр", "", "U01", ""])  # R01 with a zero-width space
    book["Родители"].append(["r02", "Ткачук", "Инна", "", "U02", ""])
    set_cell(book, "Сотрудники", "E03", "Дата приёма", "01.01.1850")
    set_cell(book, "Сотрудники", "E04", "Дата увольнения", D(2019, 1, 1))
    err = refuse(
        store,
        write_xlsx(book, tmp_path / "похожие.xlsx"),
        capsys,
        "ошибок — 4",
        "лист «Родители», строка 4, столбец «ID»: значение «R01\\u200b»",
        "«Родители», строка 2",
        "невидимыми символами",
        "строка 5, столбец «ID»: значение «r02»",
        "регистром букв",
        "с 1900 по 2100 год",
        "дата увольнения раньше даты приёма",
    )
    assert "\u200b" not in err


def test_missing_staff_sheet_is_one_error_through_the_cli(tmp_path, store, capsys):
    book = clean_book()
    del book["Сотрудники"]
    err = refuse(
        store, write_xlsx(book, tmp_path / "без сотрудников.xlsx"), capsys, "ошибок — 1", "нет обязательного листа"
    )
    assert len([line for line in err.splitlines() if line.startswith("  ")]) == 1


def test_export_through_the_cli_round_trips_old_dates(tmp_path, capsys):
    from tests.helpers import D

    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Дата приёма", D(1901, 2, 3))
    set_cell(book, "Обучающиеся", "U01", "Дата зачисления", D(1900, 1, 1))
    path = tmp_path / "store.db"
    assert main(["--store", str(path), "import", str(write_xlsx(book, tmp_path / "старые.xlsx"))]) == 0
    out = tmp_path / "выгрузка.xlsx"
    assert main(["--store", str(path), "export", str(out)]) == 0
    assert main(["--store", str(path), "import", str(out)]) == 0
    capsys.readouterr()
    with Store(path) as opened:
        first, second = opened.snapshot(1), opened.snapshot(2)
    for name, table in first.tables.items():
        assert second.tables[name].equals(table), name
    assert D(1901, 2, 3) in set(second.staff["hired"].dt.date)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize(
    "cell",
    [
        f'<x:c xmlns:x="{_MAIN}" r="XFD5" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>',  # a prefixed cell
        '<c t="inlineStr" r="XFD5"><is><t>x</t></is></c>',  # «r» not the first attribute
        '<c r="xfd5" t="inlineStr"><is><t>x</t></is></c>',  # a reference in lower case
        '<c\tr="XFD5" t="inlineStr"><is><t>x</t></is></c>',  # a tab instead of a space
        "<c><v>1</v></c>" * 250,  # no references at all: places counted from the row's start
    ],
    ids=["prefix", "attribute-order", "lower-case", "tab", "unnumbered"],
)
def test_every_way_of_writing_a_far_cell_is_found(tmp_path, cell):
    source = raw_xlsx(
        tmp_path / "далеко.xlsx", {"Лист": f'<row r="1">{inline("A1", "ID")}</row><row r="5">{cell}</row>'}
    )
    with pytest.raises(InputFileError, match="столбцов больше предела 200"):
        check_xlsx(source)


def test_an_archive_of_too_many_parts_is_refused(tmp_path):
    source = raw_xlsx(tmp_path / "части.xlsx", {f"Лист{i}": "" for i in range(10)})
    check_xlsx(source)
    with pytest.raises(InputFileError, match="частей, больше предела 5"):
        check_xlsx(source, Limits(parts=5))


def test_too_many_cells_over_all_sheets_are_refused(tmp_path):
    rows = "".join(f'<row r="{r}">{inline(f"J{r}", "x")}</row>' for r in range(1, 101))
    source = raw_xlsx(tmp_path / "ячейки.xlsx", {"Один": rows, "Два": rows})
    check_xlsx(source)  # 2 sheets × 100 rows × 10 columns
    with pytest.raises(InputFileError, match="2 000 ячеек"):
        check_xlsx(source, Limits(cells=1_999))
