"""State in TinyDB, behind one lock, with per-request cost that stays flat as data grows.

TinyDB as shipped rewrites a whole table on every write (``Table._update_table`` re-keys every
document) and answers every query by scanning.  Two small extensions keep it TinyDB while making
each operation O(1) (or O(matches) for an indexed lookup):

* ``LiveMemoryStorage`` hands out the live dict instead of a copy, so nothing is serialised per write.
* ``KeyedTable`` uses the document's own string ``id`` as TinyDB's document id and mutates that live
  dict in place, and keeps equality indexes on declared fields (``tenant``, ``task_id``...).

Persistence (``--data PATH``) is in ``persistence``: copy-on-write snapshots, at most a second apart.
"""
from __future__ import annotations

import copy
import threading
from typing import Any, Callable, Iterable, Iterator

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from . import persistence
from .index_buckets import _SMALL, _bucket_add, _bucket_remove, _fill_index, _key, _members


class DuplicateId(KeyError):
    """A document with this id is already stored."""


class LiveMemoryStorage(Storage):
    """Memory storage that returns its live dict: writes cost nothing, reads copy nothing."""

    def __init__(self) -> None:
        self.memory: dict[str, dict] = {}

    def read(self) -> dict:
        return self.memory

    def write(self, data: dict) -> None:
        # Tables mutate ``self.memory`` in place; a full write only happens on load/reset.
        if data is not self.memory:
            self.memory.clear()
            self.memory.update(data)


class KeyedTable(Table):
    """A TinyDB table keyed by the document's string ``id``, with in-place O(1) updates."""

    document_id_class = str

    def _update_table(self, updater: Callable[[dict], None]) -> None:
        tables = self._storage.read()
        raw = tables.setdefault(self.name, {})
        updater(raw)

    def search(self, cond) -> list[Document]:
        # No query cache: documents change in place, so a cached answer could be stale.
        return [Document(doc, doc_id) for doc_id, doc in self._read_table().items() if cond(doc)]


class Collection:
    """One table of the store: documents with a string ``id``, equality indexes on chosen fields.

    Documents returned by ``get``/``find`` are the stored objects themselves: treat them as read-only
    and change them through ``update``/``replace`` so indexes stay right.
    """

    def __init__(self, store: "Store", table: KeyedTable, indexes: Iterable[str]):
        self._store = store
        self._table = table
        self._bind()
        self._indexes: dict[str, dict[Any, Any]] = {}  # field -> value -> bucket (see ``_members``)
        for field in indexes:
            self.ensure_index(field)

    # -- indexes -----------------------------------------------------------------
    def ensure_index(self, field: str) -> None:
        if field in self._indexes:
            return
        index: dict[Any, Any] = {}
        for doc_id, doc in self._raw().items():
            _bucket_add(index, _key(doc.get(field)), doc_id)
        self._indexes[field] = index

    def _index_add(self, doc_id: str, doc: dict) -> None:
        for field, index in self._indexes.items():
            _bucket_add(index, _key(doc.get(field)), doc_id)

    def _index_remove(self, doc_id: str, doc: dict) -> None:
        for field, index in self._indexes.items():
            _bucket_remove(index, _key(doc.get(field)), doc_id)

    def _rebuild_indexes(self) -> None:
        fields = list(self._indexes)
        self._indexes = {}
        for field in fields:
            self.ensure_index(field)

    # -- access ------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._table.name

    def _bind(self) -> None:
        # The live dict of this table in the storage (created on first use, so writes always land);
        # re-bound when the whole state is replaced.
        self._docs = self._table._storage.read().setdefault(self._table.name, {})
        # ``get`` is the live dict's own ``get`` (an instance attribute, re-bound with the dict): the
        # hottest read of the store costs no Python frame.
        self.get = self._docs.get

    def _raw(self) -> dict[str, dict]:
        return self._docs

    def get(self, doc_id: str) -> dict | None:  # replaced per instance by ``_bind`` (same answer)
        return self._docs.get(doc_id)

    @property
    def store(self) -> "Store":
        return self._store

    def getter(self):
        """A ``get(doc_id)`` bound to the live documents, for many reads within one operation (under the
        store's lock; re-take it after a ``load``, which re-binds the table)."""
        return self._docs.get

    def find_eq(self, field: str, value: Any) -> list[dict]:
        """``find(**{field: value})`` for one field, read straight from its index bucket when the field is
        indexed (the generic query costs several times more on hot paths). Same documents, same order."""
        index = self._indexes.get(field)
        if index is None:
            return self.find(**{field: value})
        bucket = index.get(value if value.__class__ is str else _key(value))
        if not bucket:
            return []
        get = self._docs.get
        if bucket.__class__ is str:  # one id: the id itself (see ``_members``)
            doc = get(bucket)
            return [] if doc is None else [doc]
        docs = list(map(get, bucket))
        if not all(docs):  # a missing one (never, while the indexes are right; documents are never empty)
            docs = [doc for doc in docs if doc is not None]
        return docs

    def count_eq(self, field: str, value: Any) -> int:
        """``count(**{field: value})`` for one field: O(1) when it is indexed (the bucket's size)."""
        index = self._indexes.get(field)
        if index is None:
            return self.count(**{field: value})
        bucket = index.get(value if value.__class__ is str else _key(value))
        if not bucket:
            return 0
        return 1 if bucket.__class__ is str else len(bucket)

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._raw()

    def __len__(self) -> int:
        return len(self._docs)

    def insert(self, doc: dict) -> dict:
        doc_id = doc.get("id")
        if not isinstance(doc_id, str) or not doc_id:
            raise ValueError("documents need a non-empty string 'id'")
        if doc_id in self._raw():
            raise DuplicateId(doc_id)
        self._table.insert(Document(doc, doc_id=doc_id))
        stored = self._raw()[doc_id]
        self._index_add(doc_id, stored)
        self._store.touch()
        return stored

    def insert_many(self, docs: list[dict]) -> None:
        """Insert documents in one pass (all or nothing: every id must be new and distinct). The documents
        are stored as given (the caller built them and keeps no other use of them).

        The indexes are filled field by field, not document by document, in bulk where the field's values
        allow it (``_fill_index``: one value for all, a task's id; a new value each, an item's key): the
        same buckets as adding the documents one by one, several times cheaper for a big task."""
        raw = self._raw()
        if len(docs) == 1:  # one document (a CloudFactory submit's item, task item, work): no bulk set-up
            doc = docs[0]
            doc_id = doc.get("id")
            if not isinstance(doc_id, str) or not doc_id:
                raise ValueError("documents need a non-empty string 'id'")
            if doc_id in raw:
                raise DuplicateId(doc_id)
            raw[doc_id] = doc
            self._index_add(doc_id, doc)  # (the buckets ``_fill_index`` makes for one id)
            self._table.clear_cache()
            self._store.touch()
            return
        ids = [d.get("id") for d in docs]
        if set(map(type, ids)) - {str}:  # (passes of C over the ids, when they are all strings)
            for doc_id in ids:
                if not isinstance(doc_id, str) or not doc_id:
                    raise ValueError("documents need a non-empty string 'id'")
        distinct = set(ids)
        if "" in distinct:
            raise ValueError("documents need a non-empty string 'id'")
        if len(distinct) != len(ids) or not raw.keys().isdisjoint(distinct):
            raise DuplicateId(next(i for i in ids if i in raw or ids.count(i) > 1))
        raw.update(zip(ids, docs))
        for index_field, index in self._indexes.items():
            _fill_index(index, ids, [doc.get(index_field) for doc in docs])
        if docs:
            self._table.clear_cache()
            self._store.touch()

    def update(self, doc_id: str, fields: dict) -> dict:
        doc = self._docs[doc_id]
        indexes = self._indexes
        if not indexes:  # nothing to re-index (``sim_people``, counters tables)
            doc.update(fields)
            self._store.version += 1  # ``Store.touch``, without its call: the hottest write of a simulation
            return doc
        # Re-index only the indexed fields whose value changes (out of the old value's bucket now,
        # into the new one's after the update).
        moved = None
        for f in fields:
            if f in indexes:
                old = doc.get(f)
                if old != fields[f]:
                    if moved is None:
                        moved = []
                    moved.append(f)
                    index = indexes[f]
                    key = old if old is None or old.__class__ is str else _key(old)
                    bucket = index.get(key)
                    if bucket.__class__ is dict and len(bucket) > _SMALL + 1:
                        bucket.pop(doc_id, None)  # a big bucket stays one (``_bucket_remove``, inlined)
                    else:
                        _bucket_remove(index, key, doc_id)
        doc.update(fields)
        if moved is not None:
            for f in moved:
                new = doc.get(f)
                index = indexes[f]
                key = new if new is None or new.__class__ is str else _key(new)
                bucket = index.get(key)
                if bucket.__class__ is dict:
                    bucket[doc_id] = None  # (``_bucket_add`` for a big bucket, inlined)
                else:
                    _bucket_add(index, key, doc_id)
        self._store.version += 1  # ``Store.touch``
        return doc

    def replace(self, doc: dict) -> dict:
        doc_id = doc["id"]
        old = self._raw().get(doc_id)
        if old is not None:
            self._index_remove(doc_id, old)
        self._raw()[doc_id] = doc
        self._index_add(doc_id, doc)
        self._store.touch()
        return doc

    def upsert(self, doc: dict) -> dict:
        return self.replace(doc)

    def remove(self, doc_id: str) -> dict | None:
        raw = self._raw()
        doc = raw.pop(str(doc_id), None)
        if doc is not None:
            self._index_remove(str(doc_id), doc)
            self._store.touch()
        return doc

    def ids(self, offset: int = 0, limit: int | None = None, **eq: Any) -> list[str]:
        """Ids of documents whose fields equal ``eq``, in insertion order, from ``offset``, at most ``limit``.

        With an indexed field the cost is O(offset + limit) (or O(matches) without a limit), never O(table).
        """
        raw = self._raw()
        indexed = [f for f in eq if f in self._indexes]
        if indexed:
            # Walk the smallest indexed bucket, checking the remaining fields.
            buckets = [_members(self._indexes[f].get(_key(eq[f]))) for f in indexed]
            # Safe to iterate the live bucket: nothing mutates the store while we walk it.
            candidates: Iterable[str] = iter(min(buckets, key=len))
        else:
            candidates = list(raw)
        rest = [f for f in eq if f not in indexed] if len(indexed) == 1 else list(eq)
        if not rest and limit is None:  # one indexed field, every match (a source's items): the bucket
            out = [doc_id for doc_id in candidates if doc_id in raw]
            return out[offset:] if offset else out
        out: list[str] = []
        skipped = 0
        for doc_id in candidates:
            doc = raw.get(doc_id)
            if doc is None or not all(doc.get(f) == eq[f] for f in rest):
                continue
            if skipped < offset:
                skipped += 1
                continue
            out.append(doc_id)
            if limit is not None and len(out) >= limit:
                break
        return out

    def find(self, offset: int = 0, limit: int | None = None, **eq: Any) -> list[dict]:
        raw = self._raw()
        return [raw[i] for i in self.ids(offset=offset, limit=limit, **eq)]

    def iter(self, reverse: bool = False, **eq: Any) -> Iterator[dict]:
        """Documents whose fields equal ``eq``, lazily, in insertion order (newest first with
        ``reverse``); stop early and pay only for what you read. Do not change the collection while
        iterating."""
        raw = self._docs
        indexed = [f for f in eq if f in self._indexes]
        if indexed:
            candidates: Iterable[str] = min((_members(self._indexes[f].get(_key(eq[f]))) for f in indexed), key=len)
        else:
            candidates = raw
        for doc_id in (reversed(candidates) if reverse else candidates):
            doc = raw.get(doc_id)
            if doc is not None and all(doc.get(f) == v for f, v in eq.items()):
                yield doc

    def first(self, **eq: Any) -> dict | None:
        found = self.ids(limit=1, **eq)
        return self._raw()[found[0]] if found else None

    def count(self, **eq: Any) -> int:
        if len(eq) == 1:
            (field, value), = eq.items()
            if field in self._indexes:
                return len(_members(self._indexes[field].get(_key(value))))
        return len(self.ids(**eq)) if eq else len(self._raw())

    def all(self) -> list[dict]:
        return list(self._docs.values())

    def __iter__(self) -> Iterator[dict]:
        return iter(list(self._raw().values()))

    def clear(self) -> None:
        self._raw().clear()
        self._rebuild_indexes()
        self._store.touch()


class ReadMemo:
    """Values derived from a store, kept until its next write: a view that reads many documents (a list
    page's task views) is built once per state instead of once per request.

    Sound because every change of state moves ``Store.version`` (writes through a ``Collection``, the
    counters' in-place changes through ``touch``, ``load``/``restore``/``clear``): the persister
    already relies on it.  A value built while a write happened is served to its own request at most.
    Values are shared: never change one.
    Use it through ``Store.extension(name, ReadMemo)``; at most ``LIMIT`` values per state.
    """

    LIMIT = 4096
    __slots__ = ("_store", "_version", "_values")

    def __init__(self, store: "Store"):
        self._store = store
        self._version = store.version
        self._values: dict = {}

    def get(self, key, build: Callable[[], Any]):
        """The value kept for ``key`` in the current state, else ``build()`` (then kept for that state)."""
        version = self._store.version
        values = self._values
        if version != self._version:
            values = self._values = {}
            self._version = version
        else:
            found = values.get(key)
            if found is not None:
                return found
        value = build()
        # Kept with the state seen before the build (``values``, even if a reader of a newer state has since
        # replaced it): a write during the build makes the next read start afresh.
        if len(values) < self.LIMIT:
            values[key] = value
        return value


class Store:
    """The whole state: a TinyDB database of keyed collections behind one re-entrant lock."""

    def __init__(self, path: str | None = None):
        self.lock = threading.RLock()
        self.path = path
        self.db = TinyDB(storage=LiveMemoryStorage)
        self.db.table_class = KeyedTable
        self._collections: dict[str, Collection] = {}
        self._extensions: dict[str, Any] = {}
        self._export_views: list = []  # see ``add_export_view``
        self.version = 0  # bumped on every change; the persister saves when it moved
        self._file_lock = None
        if path:
            # One server per file (the lock names the holder), and a file that is not a state refuses
            # to start: both before anything is served. See ``persistence``.
            self._file_lock = persistence.lock(path)
            data = persistence.read(path)
            if data is not None:
                self.load(data)

    def touch(self) -> None:
        self.version += 1

    def extension(self, name: str, factory):
        """A helper object kept with this store for its whole life (``factory(store)`` on first use): how a
        layer above (the core's table handles) caches what it derives from the store."""
        found = self._extensions.get(name)
        if found is None:
            found = self._extensions[name] = factory(self)
        return found

    def add_export_view(self, view) -> None:
        """Have ``export`` pass its copy through ``view(store, data) -> data`` (once, however often added):
        how a layer above shows tables it keeps in a shorthand as they are meant to be read."""
        if view not in self._export_views:
            self._export_views.append(view)

    def table(self, name: str, indexes: Iterable[str] = ()) -> Collection:
        coll = self._collections.get(name)
        if coll is None:
            coll = Collection(self, self.db.table(name), indexes)
            self._collections[name] = coll
        else:
            for field in indexes:
                coll.ensure_index(field)
        return coll

    # -- whole-state operations --------------------------------------------------------
    def export(self) -> dict:
        """A deep, JSON-ready copy of every table: ``{table: [docs...]}``, sorted for stable output."""
        with self.lock:
            data = self.db.storage.read()
            # An empty table and no table are the same state: leave empty ones out.
            out = {name: copy.deepcopy(list(docs.values())) for name, docs in sorted(data.items()) if docs}
            if self._export_views:
                for view in self._export_views:
                    out = view(self, out)
                out = dict(sorted(out.items()))
            return out

    def load(self, data: dict) -> None:
        """Replace everything with ``data`` (as produced by ``export``); checked first, so a refused
        state (``ValueError``) changes nothing."""
        persistence.check_state(data)
        with self.lock:
            memory = self.db.storage.read()
            memory.clear()
            for name, docs in data.items():
                memory[name] = {d["id"]: copy.deepcopy(d) for d in docs}
            for coll in self._collections.values():
                coll._bind()
                coll._rebuild_indexes()
            self.touch()

    def hold(self) -> dict:
        """The tables as they are now, without copying a document: valid until something changes a
        document in place. ``load`` replaces every table with new documents, so a ``hold`` taken just
        before a ``load`` can put the old state back with ``restore`` at the cost of re-indexing."""
        with self.lock:
            return dict(self.db.storage.read())

    def restore(self, held: dict) -> None:
        """Put back the tables of ``hold``."""
        with self.lock:
            memory = self.db.storage.read()
            memory.clear()
            memory.update(held)
            for coll in self._collections.values():
                coll._bind()
                coll._rebuild_indexes()
            self.touch()

    def clear(self) -> None:
        with self.lock:
            self.load({})
