"""The training content as files a methodist edits: one YAML file per role, validated at load.

``content/<role>.yaml`` beside this module holds each step's why, the platform's words for the action, hints,
questions, answers and explanations. A methodist's own copy (``sferum training content --out ПАПКА``) is used
when its folder is named by the environment variable :data:`CONTENT_ENV` (``sferum app --content`` sets it for
the kernels) or recorded in a prepared session (``sferum training prepare --content``). A file's mistakes —
bad YAML, an unknown duty, role, action, choice or field, a missing or impossible answer, fewer than two
questions — come back all at once as a :class:`ContentError` naming file and line.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sferum_lib.errors import SferumError
from sferum_lib.training.steps import (
    CHOICES,
    PERSONAS,
    ROLE_ORDER,
    Field,
    Question,
    Step,
    fixed_for,
    personas,
)

#: The environment variable naming a methodist's content folder (``sferum app --content`` sets it).
CONTENT_ENV = "SFERUM_TRAINING_CONTENT"
#: The file in a prepared session's folder that names the content folder it was prepared with.
SESSION_RECORD = "содержание-обучения.txt"
SHIPPED = Path(__file__).resolve().parent / "content"
MIN_QUESTIONS = 2
PLATFORM_MARK = "О платформе, не из положения:"

# the keys of a content file, as a methodist writes them
ROLE_KEYS = {"роль", "шаги"}
STEP_KEYS = {"шаг", "кто", "зачем", "действие", "кнопка", "поля", "подсказки", "вопросы"}
FIELD_KEYS = {"поле", "подпись", "выбор", "значение"}
QUESTION_KEYS = {"вопрос", "варианты", "ответ", "пункт", "цитата", "объяснение", "платформа"}
COLON = 'читается как «ключ: значение» из-за двоеточия с пробелом: возьмите весь текст в кавычки "…"'
YES, NO = ("да", "yes", "true", True), ("нет", "no", "false", False, None)


class ContentError(SferumError):
    """A content file (or folder) with mistakes; ``problems`` lists each as «файл, строка N: что не так»."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        head = f"Содержание обучения «{source}» не принято: ошибок — {len(problems)}."
        super().__init__("\n".join([head, *(f"  {p}" for p in problems)]))


# --- YAML with line numbers --------------------------------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers the line of itself and of each key (1-based, as an editor numbers)."""

    line: int = 0
    lines: dict[Any, int]


class _Loader(yaml.SafeLoader):
    pass


def _mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line, result.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            loader.duplicates.append((key, key_node.start_mark.line + 1))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _line(data: object, key: object = None) -> int:
    if isinstance(data, _Map):
        return data.lines.get(key, data.line) if key is not None else data.line
    return 0


# --- checking one file -------------------------------------------------------------------------------------


@dataclass
class _Checker:
    file: str
    problems: list[str]

    def add(self, line: int, text: str) -> None:
        self.problems.append(f"файл «{self.file}», строка {line}: {text}" if line else f"файл «{self.file}»: {text}")

    def text(self, data: _Map, key: str, where: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(_line(data), f"{where}: не заполнено поле «{key}»")
            return ""
        if isinstance(value, dict):
            self.add(_line(data, key), f"{where}: поле «{key}» {COLON}")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.add(_line(data, key), f"{where}: поле «{key}» — текст")
            return ""
        return " ".join(str(value).split())

    def unknown_keys(self, data: _Map, known: set[str], where: str) -> None:
        for key in data:
            if key not in known:
                listed = ", ".join(f"«{k}»" for k in sorted(known))
                self.add(_line(data, key), f"{where}: неизвестное поле «{key}»; возможны {listed}")


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _rules() -> dict[str, str]:
    """The organisation's rules a text may name as ``{invite_max_age_days}``: the values in force."""
    from sferum_lib.checks import AuditSettings

    rules = AuditSettings()
    return {f.name: str(getattr(rules, f.name)) for f in dataclasses.fields(rules)}


def _filled(c: _Checker, text: str, line: int, where: str) -> str:
    rules = _rules()

    def fill(m: re.Match[str]) -> str:
        if m.group(1) in rules:
            return rules[m.group(1)]
        c.add(line, f"{where}: неизвестная величина «{{{m.group(1)}}}»; возможны {', '.join(sorted(rules))}")
        return m.group(0)

    return _PLACEHOLDER.sub(fill, text)


def _yes(c: _Checker, data: _Map, key: str, where: str) -> bool:
    value = data.get(key)
    value = value.strip().lower() if isinstance(value, str) else value
    if value in YES:
        return True
    if value not in NO:
        c.add(_line(data, key), f"{where}: поле «{key}» — «да» или «нет»")
    return False


def _clause_ok(clause: str) -> bool:
    from sferum_lib.regulation.editions import clause_keys

    keys = clause_keys(clause)
    return bool(keys) and None not in keys


def _after_colon(text: str) -> str:
    """«Одна ссылка…» after a colon is «одна ссылка…» (an abbreviation such as «СМС» keeps its capitals)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _question(c: _Checker, q: object, where: str) -> Question | None:
    if not isinstance(q, _Map):
        c.add(0, f"{where}: ожидается вопрос с полями «вопрос», «варианты», «ответ», «пункт», «цитата», «объяснение»")
        return None
    c.unknown_keys(q, QUESTION_KEYS, where)
    text = _filled(c, c.text(q, "вопрос", where), q.line, where)
    platform = _yes(c, q, "платформа", where)
    options_raw = q.get("варианты")
    options: list[str] = []
    if not isinstance(options_raw, list) or len(options_raw) < 2:
        c.add(_line(q, "варианты"), f"{where}: «варианты» — список хотя бы из двух ответов")
    else:
        for n, option in enumerate(options_raw, start=1):
            if isinstance(option, dict):
                c.add(_line(option) or _line(q, "варианты"), f"{where}: вариант {n} {COLON}")
                continue
            if not isinstance(option, str | int) or isinstance(option, bool) or not str(option).strip():
                c.add(_line(q, "варианты"), f"{where}: вариант {n} пуст или не текст")
                continue
            options.append(_filled(c, " ".join(str(option).split()), _line(q, "варианты"), where))
        if len(set(options)) < len(options):
            c.add(_line(q, "варианты"), f"{where}: варианты повторяются")
    answer = q.get("ответ")
    if answer is None:
        c.add(q.line, f"{where}: не указан «ответ» — номер верного варианта (1, 2, 3…)")
    elif not isinstance(answer, int) or isinstance(answer, bool):
        c.add(_line(q, "ответ"), f"{where}: «ответ» — номер верного варианта (1, 2, 3…), а не «{answer}»")
        answer = None
    elif options and not 1 <= answer <= len(options):
        c.add(_line(q, "ответ"), f"{where}: ответ {answer} вне вариантов (их {len(options)})")
        answer = None
    clause = c.text(q, "пункт", where, required=not platform)
    if clause and not _clause_ok(clause):
        c.add(
            _line(q, "пункт"),
            f"{where}: пункт «{clause}» не найден в положении (пример: «2.1» или «абз. «Обучающийся…»»)",
        )
    quote = c.text(q, "цитата", where, required=not platform)
    if quote and not clause:
        c.add(_line(q, "цитата"), f"{where}: у цитаты не указан «пункт»")
    explain = _filled(c, c.text(q, "объяснение", where), _line(q, "объяснение"), where)
    if not (text and options and answer is not None and explain):
        return None
    # a quote that ends a sentence keeps its words, not its full stop: «…с приказом». rather than «…с приказом.».
    shown = f"Положение ({'п. ' if clause[:1].isdigit() else ''}{clause}): «{quote.rstrip('.')}». " if quote else ""
    shown += f"{PLATFORM_MARK} {_after_colon(explain)}" if platform else explain
    return Question(text, tuple(options), answer - 1, shown, platform)


def _field(c: _Checker, f: object, procedure: str, known: list[str], where: str) -> Field | None:
    if not isinstance(f, _Map):
        c.add(0, f"{where}: поле формы — словарь с ключами «поле», «подпись»")
        return None
    c.unknown_keys(f, FIELD_KEYS, where)
    name, label = c.text(f, "поле", where), c.text(f, "подпись", where)
    if name and known and name not in known:
        c.add(_line(f, "поле"), f"{where}: у действия «{procedure}» нет поля «{name}»; есть {', '.join(known)}")
    choice = c.text(f, "выбор", where, required=False)
    value = c.text(f, "значение", where, required=False)
    if choice and choice not in CHOICES:
        c.add(_line(f, "выбор"), f"{where}: неизвестный выбор «{choice}»; возможны {', '.join(CHOICES)}")
        return None
    if choice and value and value not in PERSONAS and value != "section":
        c.add(
            _line(f, "значение"),
            f"{where}: «значение» поля с выбором — кто из учебной организации: {', '.join(PERSONAS)}, section",
        )
        return None
    if not (name and label):
        return None
    if choice:
        default: Any = (lambda s, key=value: personas(s)[key]) if value else ""
        return Field(name, label, "choice", CHOICES[choice], default)
    return Field(name, label, "text", None, value)


def _required(procedure: str) -> list[str]:
    """The parameters a procedure cannot do without (a form that leaves one out would fail when performed)."""
    import inspect

    from sferum_lib.procedures import PROCEDURES

    signature = inspect.signature(PROCEDURES[procedure].run)
    return [
        name for name, p in list(signature.parameters.items())[2:] if p.kind == p.KEYWORD_ONLY and p.default is p.empty
    ]


def _step(c: _Checker, s: object, catalogue: Any, seen: set[str], n: int) -> Step | None:
    from sferum_lib.procedures import PROCEDURES
    from sferum_lib.procedures.params import parameters

    if not isinstance(s, _Map):
        c.add(0, f"шаг № {n}: ожидается словарь полей («шаг», «кто», «зачем», …)")
        return None
    duty = c.text(s, "шаг", f"шаг № {n}")
    where = f"шаг {duty or f'№ {n}'}"
    c.unknown_keys(s, STEP_KEYS, where)
    known_duty = False
    if duty:
        try:
            catalogue[duty]
            known_duty = True
        except KeyError:
            c.add(_line(s, "шаг"), f"{where}: обязанности «{duty}» нет в каталоге обязанностей (duties.yaml)")
        if duty in seen:
            c.add(_line(s, "шаг"), f"{where}: шаг повторяется")
        seen.add(duty)
    actor = c.text(s, "кто", where)
    if actor and actor not in PERSONAS:
        c.add(_line(s, "кто"), f"{where}: «кто» — один из {', '.join(PERSONAS)}, а не «{actor}»")
    why = _filled(c, c.text(s, "зачем", where), _line(s, "зачем"), where)
    procedure = c.text(s, "действие", where, required=False) or None
    known: list[str] = []
    if procedure and procedure not in PROCEDURES:
        c.add(_line(s, "действие"), f"{where}: неизвестное действие «{procedure}»")
    elif procedure:
        known = parameters(procedure)
        performs = PROCEDURES[procedure].duties
        if known_duty and duty not in performs:  # an unknown duty is reported once, above
            c.add(
                _line(s, "действие"),
                f"{where}: действие «{procedure}» выполняет {', '.join(performs)}, а не обязанность {duty} этого шага",
            )
    button = c.text(s, "кнопка", where, required=bool(procedure))
    fields_raw = s.get("поля") or []
    if not isinstance(fields_raw, list):
        c.add(_line(s, "поля"), f"{where}: «поля» — список полей формы")
        fields_raw = []
    if fields_raw and not procedure:
        c.add(_line(s, "поля"), f"{where}: поля формы без «действие»")
    fields = [_field(c, f, procedure or "", known, f"{where}, поле {i}") for i, f in enumerate(fields_raw, start=1)]
    hints_raw = s.get("подсказки") or []
    if isinstance(hints_raw, str):
        hints_raw = [hints_raw]
    if not isinstance(hints_raw, list) or not all(isinstance(h, str) for h in hints_raw):
        c.add(_line(s, "подсказки"), f"{where}: «подсказки» — список строк")
        hints_raw = []
    hints = [_filled(c, " ".join(h.split()), _line(s, "подсказки"), where) for h in hints_raw]
    questions_raw = s.get("вопросы") or []
    if not isinstance(questions_raw, list):
        c.add(_line(s, "вопросы"), f"{where}: «вопросы» — список вопросов")
        questions_raw = []
    if len(questions_raw) < MIN_QUESTIONS:
        c.add(_line(s, "вопросы"), f"{where}: вопросов {len(questions_raw)}, а нужно не меньше {MIN_QUESTIONS}")
    questions = [_question(c, q, f"{where}, вопрос {i}") for i, q in enumerate(questions_raw, start=1)]
    if procedure in PROCEDURES:
        # a field with its own mistake (reported above) still counts as present
        given = {str(f.get("поле")) for f in fields_raw if isinstance(f, dict)} | set(fixed_for(procedure, actor))
        for name in _required(procedure):
            if name not in given:
                c.add(_line(s, "поля"), f"{where}: у действия «{procedure}» в форме нет обязательного поля «{name}»")
    if not (duty and actor in PERSONAS and why) or None in fields or None in questions:
        return None
    return Step(
        duty,
        why,
        actor,
        procedure,
        button,
        tuple(f for f in fields if f is not None),
        tuple(q for q in questions if q is not None),
        fixed_for(procedure, actor),
        tuple(hints),
    )


#: pyyaml's words for a problem → what a methodist should look at (the rest: indentation, colons, quotes)
_YAML_PROBLEMS = (
    ("mapping values are not allowed", "двоеточие с пробелом внутри текста — возьмите текст в кавычки"),
    ("expected ',' or ']'", "не закрыта квадратная скобка «[»"),
    ("expected ',' or '}'", "не закрыта фигурная скобка «{»"),
    ("found character '\\t'", "в отступе табуляция — отступы делают пробелами"),
    ("unexpected end of stream", "не закрыта кавычка"),
    ("could not find expected ':'", "строка без двоеточия после названия поля или неверный отступ"),
    ("expected <block end>", "неверный отступ: поле сдвинуто не так, как соседние"),
    ("did not find expected", "неверный отступ или лишний знак в начале строки"),
)


def _yaml_problem(exc: yaml.YAMLError) -> tuple[int, str]:
    problem = str(getattr(exc, "problem", "") or exc)
    mark, start = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    said = next((ru for en, ru in _YAML_PROBLEMS if en in problem), "проверьте отступы, двоеточия и кавычки")
    line = mark.line + 1 if mark else 0
    if start is not None and mark is not None and start.line != mark.line:
        said += f" (началось в строке {start.line + 1})"
    return line, f"текст не читается как YAML: {said}"


def _role_file(c: _Checker, text: str, expected_role: str, catalogue: Any) -> list[Step]:
    loader = _Loader(text)
    loader.duplicates = []  # type: ignore[attr-defined]
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        c.add(*_yaml_problem(exc))
        return []
    finally:
        loader.dispose()
    for key, line in loader.duplicates:  # type: ignore[attr-defined]
        c.add(line, f"поле «{key}» повторяется")
    if not isinstance(data, _Map):
        c.add(0, "файл должен содержать поля «роль» и «шаги»")
        return []
    c.unknown_keys(data, ROLE_KEYS, "файл")
    role = c.text(data, "роль", "файл")
    if role and role not in ROLE_ORDER:
        c.add(_line(data, "роль"), f"неизвестная роль «{role}»; роли: {', '.join(ROLE_ORDER)}")
    elif role and role != expected_role:
        c.add(_line(data, "роль"), f"роль «{role}», а файл назван «{expected_role}.yaml»: они должны совпадать")
    steps_raw = data.get("шаги")
    if not isinstance(steps_raw, list) or not steps_raw:
        c.add(_line(data, "шаги"), "«шаги» — непустой список шагов")
        return []
    seen: set[str] = set()
    steps = [_step(c, s, catalogue, seen, n) for n, s in enumerate(steps_raw, start=1)]
    return [s for s in steps if s is not None]


# --- loading a folder --------------------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, Path]:
    """The role files in use: the folder's own, the shipped ones for roles the folder leaves out."""
    return {
        role: (folder / f"{role}.yaml" if (folder / f"{role}.yaml").exists() else SHIPPED / f"{role}.yaml")
        for role in ROLE_ORDER
    }


def content_folder(session: str | Path | None = None) -> Path | None:
    """The methodist's content folder in use, or ``None`` for the shipped files.

    In order: :data:`CONTENT_ENV` (``sferum app --content``); the folder recorded in the session ``session``,
    in the session of ``sferum app`` (``SFERUM_SESSION``), or — for a prepared participant's notebook, whose
    kernel runs in ``<session>/<participant>/`` — in the session around the working directory.
    """
    named = os.environ.get(CONTENT_ENV, "").strip()
    if named:
        return Path(named).expanduser().resolve()
    candidates: list[str | Path | None] = [session, os.environ.get("SFERUM_SESSION")]
    try:
        here = Path.cwd()
        candidates += [here, here.parent]
    except OSError:  # the working directory was removed: there is no session around it
        pass
    for candidate in candidates:
        if not candidate:
            continue
        record = Path(candidate) / SESSION_RECORD
        if record.is_file():
            text = record.read_text(encoding="utf-8").strip()
            if text:
                return Path(text)
    return None


def load_content(folder: str | Path | None = None, session: str | Path | None = None) -> dict[str, list[Step]]:
    """Every role's steps from ``folder`` (else :func:`content_folder`, else the shipped files), validated.

    Raises :class:`ContentError` with every problem of every file at once.
    """
    chosen = Path(folder).expanduser().resolve() if folder is not None else content_folder(session)
    if chosen is not None and not chosen.is_dir():
        raise ContentError(str(chosen), ["папки нет: создайте её командой sferum training content --out ПАПКА"])
    root = chosen or SHIPPED
    files = _files(root)
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files.values())
    return _load(str(root), stamp)


@lru_cache(maxsize=8)
def _load(root: str, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, list[Step]]:
    from sferum_lib.regulation import default_catalogue

    catalogue = default_catalogue()
    problems: list[str] = []
    result: dict[str, list[Step]] = {}
    folder = Path(root)
    if folder != SHIPPED:
        for stray in sorted(folder.glob("*.y*ml")):
            if stray.stem not in ROLE_ORDER or stray.suffix != ".yaml":
                problems.append(
                    f"файл «{stray.name}»: имя файла — роль ({', '.join(r + '.yaml' for r in ROLE_ORDER)}); "
                    "другие файлы не читаются — переименуйте или уберите его"
                )
    for (path, _, _), role in zip(stamp, ROLE_ORDER, strict=True):
        file = Path(path)
        checker = _Checker(file.name if file.parent == folder else str(file), problems)
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            checker.add(0, "файл не в кодировке UTF-8: сохраните его как UTF-8")
            continue
        result[role] = _role_file(checker, text, role, catalogue)
    if problems:
        raise ContentError(root, problems)
    return result


def steps_for(role: str, session: str | Path | None = None) -> list[Step]:
    """A role's steps from the content in use for ``session`` (see :func:`content_folder`)."""
    return load_content(session=session)[role]


# --- a methodist's copy ------------------------------------------------------------------------------------


def write_content(out: str | Path, overwrite: bool = False) -> list[Path]:
    """Copy the shipped content files into ``out``; existing files are kept unless ``overwrite``."""
    folder = Path(out).expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise ContentError(str(folder), ["это файл, а не папка: укажите папку для содержания обучения"])
    targets = [folder / f"{role}.yaml" for role in ROLE_ORDER]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        names = ", ".join(t.name for t in existing)
        raise ContentError(
            str(folder),
            [f"в папке уже есть {names}: правленые файлы не перезаписываются (заменить — --overwrite)"],
        )
    folder.mkdir(parents=True, exist_ok=True)
    for role, target in zip(ROLE_ORDER, targets, strict=True):
        shutil.copyfile(SHIPPED / f"{role}.yaml", target)
    return targets


def record_content(session: str | Path, folder: str | Path) -> Path:
    """Note in a prepared session's folder which content folder its participants learn from."""
    record = Path(session) / SESSION_RECORD
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(f"{Path(folder).expanduser().resolve()}\n", encoding="utf-8")
    return record
