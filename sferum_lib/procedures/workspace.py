"""Running procedures against a store: read, check, change and journal in one transaction."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from sferum_lib.errors import UsageError, visible
from sferum_lib.model import Snapshot
from sferum_lib.procedures.base import PROCEDURES, Change, Context, Refused, State
from sferum_lib.store import Store


@dataclasses.dataclass(frozen=True)
class Performed:
    """An accepted procedure as the journal holds it."""

    seq: int
    procedure: str
    duty: str
    summary: str
    object: str | None
    also: tuple[str, ...] = ()
    actor: str | None = None
    #: who the actor was taken to be when none was given («администратор платформы»); None when one was given
    default_actor: str | None = None

    @property
    def duties(self) -> tuple[str, ...]:
        """Every duty the act fulfilled."""
        return (self.duty, *self.also)


class Workspace:
    """The working state of an organisation in a store, changed only through procedures."""

    def __init__(self, store: Store | str | Path) -> None:
        self.store = store if isinstance(store, Store) else Store(store)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state(self) -> Snapshot:
        return self.store.state()

    def perform(self, key: str, *, actor: str | None, day: dt.date, **params: Any) -> Performed:
        """Perform procedure ``key`` as ``actor`` on ``day``; raise :class:`Refused` leaving everything unchanged."""
        proc = PROCEDURES.get(key)
        if proc is None:
            raise UsageError(f"Неизвестное действие «{key}». Известные: {', '.join(sorted(PROCEDURES))}.")
        with self.store.transaction():
            # read inside the transaction: another process may have changed the state a moment ago
            snapshot = self.store.state()
            state = State(snapshot, day, self.store.journal)
            unknown = _unknown_params(proc.run, params)
            if unknown:
                raise UsageError(f"Действие «{key}»: неверные параметры — {unknown}")
            default = None
            if actor is None:
                # every act is someone's: the regulation's roles are checked always (see default_actor)
                actor, default = default_actor(key, state, params)
            if state.kind(actor) is None:
                who = visible(actor)
                raise UsageError(f"Человека с ID «{who}» нет в данных организации: проверьте, кто действует.")
            change: Change = proc.run(state, Context(actor, day), **params)
            changed = snapshot.with_tables(**change.tables)
            if change.organisation is not None:
                changed = dataclasses.replace(changed, organisation=change.organisation)
            self.store.write_state(changed, change.tables)
            seq = self.store.append_journal(
                {
                    "at": dt.datetime.now().isoformat(timespec="seconds"),
                    "on_day": day.isoformat(),
                    "actor": actor,
                    "duty": change.duty,
                    "procedure": key,
                    "summary": change.summary,
                    "object": change.object,
                    "params": {**change.params, **({"also_duties": list(change.also)} if change.also else {})},
                }
            )
        return Performed(seq, key, change.duty, change.summary, change.object, change.also, actor, default)


def state_of(snapshot: Snapshot, day: dt.date, journal: pd.DataFrame | None = None) -> State:
    """The state procedures read, with the journal already loaded (``None``: nothing journaled)."""
    return State(snapshot, day, (lambda: journal) if journal is not None else None)


def refusal(key: str, state: State, actor: str | None, **params: Any) -> Refused | None:
    """Why procedure ``key`` would be refused now, or None when it would be accepted — without changing anything.

    The procedure's own preconditions answer (a procedure only reads the state), so a view that offers an action
    asks the same rule that decides it, rather than a copy of it.
    """
    day = state.day.date()
    if actor is None:
        # nobody holds the role: the procedure then refuses the missing actor in the regulation's words
        with contextlib.suppress(UsageError):
            actor, _ = default_actor(key, state, params)
    try:
        PROCEDURES[key].run(state, Context(actor, day), **params)
    except Refused as refused:
        return refused
    return None


#: Acts a person does themselves (joining, applying, their own verification): the parameter naming them.
_OWN_ACTS = {"join_by_invite": "person_id", "file_request": "person_id", "start_verification": "staff_id"}
#: Acts of the head of the organisation (п. 2.2).
_HEAD_ACTS = {"issue_usage_order", "appoint_administrator", "supply_channel_material"}
#: Acts on one chat: its owner acts by default.
_CHAT_ACTS = {"add_chat_member", "remove_chat_member"}


def default_actor(key: str, state: State, params: dict[str, Any]) -> tuple[str, str]:
    """Who performs ``key`` when the caller names nobody, and how to say so: the person themselves for their own
    acts, the head for the head's, a chat's owner for acts on the chat, the platform administrator named in the
    organisation's parameters for the rest. The procedure then checks their role as for anyone else; when the
    organisation names nobody for the role, the caller must say who acts (a :class:`UsageError`)."""
    ask = "укажите, кто выполняет действие (в командной строке: --as ID)"
    if key in _OWN_ACTS:
        person = params.get(_OWN_ACTS[key])
        if isinstance(person, str) and person:
            return person, "сам участник"
        raise UsageError(f"Действие «{key}»: {ask}.")
    if key in _HEAD_ACTS:
        heads = sorted(state.the_head())
        if len(heads) == 1:
            return heads[0], "руководитель организации"
        raise UsageError(f"Руководитель не указан в параметрах организации: {ask}.")
    chat_id = params.get("chat_id") if key in _CHAT_ACTS else None
    target = str(params.get("target", ""))
    if key == "issue_invite" and target.startswith("чат:"):
        chat_id = target.partition(":")[2]
    chat = state.chat(str(chat_id)) if chat_id is not None else None
    if chat is not None:  # an unknown chat: the procedure itself says so
        if isinstance(chat["owner_id"], str) and chat["owner_id"]:
            return chat["owner_id"], "владелец чата"
        raise UsageError(f"У чата «{visible(str(chat_id))}» не указан владелец: {ask}.")
    if key == "create_chat":
        raise UsageError(f"Чат создаёт его будущий владелец: {ask}.")
    if state.org.admin_id:
        return state.org.admin_id, "администратор платформы"
    raise UsageError(f"Администратор платформы не указан в параметрах организации: {ask}.")


def _unknown_params(run: Any, params: dict[str, Any]) -> str:
    """A Russian refusal when ``params`` do not fit the procedure's keyword arguments; empty when they do."""
    import inspect

    from sferum_lib.procedures.params import PARAMS

    def named(name: str) -> str:
        russian = PARAMS.get(name, (name, ""))[0]
        return name if russian == name else f"{russian} ({name})"

    signature = inspect.signature(run)
    accepted = [n for n, p in signature.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    required = [n for n in accepted if signature.parameters[n].default is inspect.Parameter.empty]
    any_more = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    extra = [] if any_more else sorted(set(params) - set(accepted))
    missing = [n for n in required if n not in params]
    if not extra and not missing:
        return ""
    parts = []
    if missing:
        parts.append("не хватает параметров: " + ", ".join(named(n) for n in missing))
    if extra:
        parts.append("лишние параметры: " + ", ".join(visible(n) for n in extra))
    known = ", ".join(named(n) for n in accepted) or "нет"
    return f"{'; '.join(parts)}. Параметры этого действия: {known}."
