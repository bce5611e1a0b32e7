"""A ticket store written in Python, for :meth:`itsm.Engine.open_store`.

Subclass :class:`Store` and implement every method; the engine calls them through the C
ABI's callback table (docs/storage.md, "Custom stores through the C ABI"). Tickets and events
cross as record texts (``str``): store them as they are and give them back unchanged.
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable, Iterable, List, NamedTuple, Optional, Tuple

from . import _native
from .errors import Conflict


class TicketWrite(NamedTuple):
    """One ticket written by a commit. ``expected_version`` is 0 for a new ticket."""

    id: int
    key: str
    version: int
    expected_version: int
    record: str


class StoreCommit:
    """What one commit writes, valid only during :meth:`Store.commit`."""

    def __init__(self, lib: "_native.Library", handle: int) -> None:
        self._lib = lib
        self._handle = handle
        tickets, events = ctypes.c_uint64(), ctypes.c_uint64()
        lib.check(lib.itsm_store_commit_counts(handle, ctypes.byref(tickets), ctypes.byref(events)))
        self.event_count: int = events.value
        self.tickets: List[TicketWrite] = [self._ticket(i) for i in range(tickets.value)]

    def _ticket(self, index: int) -> TicketWrite:
        ident, version, expected = ctypes.c_uint64(), ctypes.c_uint64(), ctypes.c_uint64()
        key, record = ctypes.c_char_p(), ctypes.c_char_p()
        self._lib.check(
            self._lib.itsm_store_commit_ticket(
                self._handle, index, ctypes.byref(ident), ctypes.byref(key), ctypes.byref(version),
                ctypes.byref(expected), ctypes.byref(record),
            )
        )
        return TicketWrite(
            ident.value, (key.value or b"").decode(), version.value, expected.value, (record.value or b"").decode()
        )

    def number_event(self, index: int, seq: int) -> Tuple[int, str]:
        """Numbers event ``index`` with ``seq`` (increasing with the index, above every seq
        stored before) and returns its ticket id and its record, which carries the seq."""
        ticket, record = ctypes.c_uint64(), ctypes.c_char_p()
        self._lib.check(
            self._lib.itsm_store_commit_event(self._handle, index, seq, ctypes.byref(ticket), ctypes.byref(record))
        )
        return ticket.value, (record.value or b"").decode()


class Store:
    """The methods a Python store implements. Raise :class:`~itsm.Conflict` from
    :meth:`commit` for a stale version or a taken id or key, any other exception for a
    failure: the engine call then fails with :class:`~itsm.Conflict` or
    :class:`~itsm.StorageError` carrying ``str(exception)``, and nothing is applied."""

    def get(self, ticket_id: int) -> Optional[str]:
        """The ticket record with this id, or None."""
        raise NotImplementedError

    def get_by_key(self, key: str) -> Optional[str]:
        """The ticket record with this key, or None."""
        raise NotImplementedError

    def scan(self) -> Iterable[str]:
        """Every ticket record, in any order (queries are answered from it)."""
        raise NotImplementedError

    def history(self, ticket_id: int) -> Iterable[str]:
        """The ticket's event records in seq order."""
        raise NotImplementedError

    def size(self) -> int:
        """The number of tickets."""
        raise NotImplementedError

    def allocate(self, kind: str) -> Tuple[int, int]:
        """A fresh ticket id and the kind's next key number, never given again."""
        raise NotImplementedError

    def commit(self, commit: StoreCommit) -> None:
        """Applies every write and numbers and appends every event, or nothing."""
        raise NotImplementedError

    def meta_get(self, key: str) -> Optional[str]:
        """The meta value under ``key``, or None."""
        raise NotImplementedError

    def meta_set(self, key: str, value: str) -> None:
        """Keeps ``value`` under ``key`` at once, outside any batch."""
        raise NotImplementedError

    def begin_batch(self) -> None:
        """Starts a batch: the commits until :meth:`end_batch` are one unit."""
        raise NotImplementedError

    def end_batch(self, keep: bool) -> None:
        """Keeps every commit of the batch, or takes every one back."""
        raise NotImplementedError

    def close(self) -> None:
        """Called once when the engine that owns the store closes."""


class StoreBinding:
    """Private: the C callbacks over a :class:`Store`. The engine keeps it alive as long as
    its handle, since the C library holds pointers to these callbacks."""

    def __init__(self, lib: "_native.Library", store: Store) -> None:
        self.lib = lib
        self.store = store
        t = _native
        self.destroy = t.STORE_DESTROY_FN(lambda _user_data: store.close())
        self.get = t.STORE_GET_FN(lambda i, r, _u: self._answer(r, lambda: self._texts(store.get(i))))
        self.get_by_key = t.STORE_GET_BY_KEY_FN(
            lambda k, r, _u: self._answer(r, lambda: self._texts(store.get_by_key(k.decode())))
        )
        self.scan = t.STORE_SCAN_FN(lambda r, _u: self._answer(r, store.scan))
        self.history = t.STORE_HISTORY_FN(lambda i, r, _u: self._answer(r, lambda: store.history(i)))
        self.size = t.STORE_SIZE_FN(lambda n, r, _u: self._answer(r, lambda: self._set(n, store.size())))
        self.allocate = t.STORE_ALLOCATE_FN(lambda k, i, n, r, _u: self._answer(r, lambda: self._allocate(k, i, n)))
        self.commit = t.STORE_COMMIT_FN(lambda c, r, _u: self._answer(r, lambda: store.commit(StoreCommit(lib, c))))
        self.meta_get = t.STORE_META_GET_FN(
            lambda k, r, _u: self._answer(r, lambda: self._texts(store.meta_get(k.decode())))
        )
        self.meta_set = t.STORE_META_SET_FN(
            lambda k, v, r, _u: self._answer(r, lambda: store.meta_set(k.decode(), v.decode()))
        )
        self.begin_batch = t.STORE_BEGIN_BATCH_FN(lambda r, _u: self._answer(r, store.begin_batch))
        self.end_batch = t.STORE_END_BATCH_FN(lambda keep, r, _u: self._answer(r, lambda: store.end_batch(bool(keep))))

    def callbacks(self) -> ctypes.c_void_p:
        """A complete callback table (owned by the caller until an engine takes it)."""
        lib = self.lib
        table = ctypes.c_void_p()
        lib.check(lib.itsm_store_callbacks_new(None, self.destroy, ctypes.byref(table)))
        try:
            for code in (
                lib.itsm_store_callbacks_set_get(table, self.get),
                lib.itsm_store_callbacks_set_get_by_key(table, self.get_by_key),
                lib.itsm_store_callbacks_set_scan(table, self.scan),
                lib.itsm_store_callbacks_set_history(table, self.history),
                lib.itsm_store_callbacks_set_size(table, self.size),
                lib.itsm_store_callbacks_set_allocate(table, self.allocate),
                lib.itsm_store_callbacks_set_commit(table, self.commit),
                lib.itsm_store_callbacks_set_meta_get(table, self.meta_get),
                lib.itsm_store_callbacks_set_meta_set(table, self.meta_set),
                lib.itsm_store_callbacks_set_begin_batch(table, self.begin_batch),
                lib.itsm_store_callbacks_set_end_batch(table, self.end_batch),
            ):
                lib.check(code)
        except BaseException:
            lib.itsm_store_callbacks_free(table)
            raise
        return table

    @staticmethod
    def _texts(value: Optional[str]) -> List[str]:
        return [] if value is None else [value]

    @staticmethod
    def _set(out: Any, value: int) -> None:
        out[0] = value

    def _allocate(self, kind: bytes, ident: Any, number: Any) -> None:
        i, n = self.store.allocate(kind.decode())
        ident[0], number[0] = i, n

    def _answer(self, result: int, body: Callable[[], Any]) -> int:
        """Runs ``body``; texts it returns are added to ``result``. An exception becomes a
        status and a message: no Python exception may unwind through the C library."""
        lib = self.lib
        try:
            answer = body()
            if answer is not None:
                for text in answer:
                    code: int = lib.itsm_store_result_add(result, text.encode("utf-8"))
                    if code != 0:
                        return code
            return 0
        except Conflict as e:
            lib.itsm_store_result_set_error(result, e.message.encode("utf-8", "replace"))
            return Conflict.CODE
        except Exception as e:  # noqa: BLE001 - every failure of the host's store is a storage error
            lib.itsm_store_result_set_error(result, str(e).encode("utf-8", "replace"))
            return -8
