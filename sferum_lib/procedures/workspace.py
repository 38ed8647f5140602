"""Running procedures against a store: read, check, change and journal in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from sferum_lib.errors import UsageError
from sferum_lib.model import Snapshot
from sferum_lib.procedures.base import PROCEDURES, Change, Context, State
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
            try:
                state = State(snapshot, day, self.store.journal)
                change: Change = proc.run(state, Context(actor, day), **params)
            except TypeError as exc:
                raise UsageError(f"Действие «{key}»: неверные параметры ({exc}).") from None
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
        return Performed(seq, key, change.duty, change.summary, change.object, change.also)
