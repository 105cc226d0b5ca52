"""The buckets of the store's equality indexes (``store.Collection``): how the ids holding one value are kept.

Functions, not methods: ``Collection`` calls them on its hot paths with the index dict at hand.
"""
from __future__ import annotations

import json
from typing import Any

# An index maps a field value to its *bucket*: the ids of the documents holding that value, in insertion
# order.  Most values of fields such as ``item_key`` are held by one document, or a few (the works of one
# task item), and a dict costs 184 bytes however small: a bucket of one id is that id string itself (stored
# already), of up to ``_SMALL`` ids a tuple, of more a ``dict[str, None]`` (O(1) add and remove).  Read
# buckets through ``_members``.
_NO_MEMBERS: tuple = ()
_SMALL = 8
_NOTHING = object()


def _members(bucket) -> Any:
    """The ids of a bucket (None: no bucket), in insertion order, as a sized iterable."""
    if bucket is None:
        return _NO_MEMBERS
    if bucket.__class__ is str:
        return (bucket,)
    return bucket


def _bucket_add(index: dict, key: Any, doc_id: str) -> None:
    bucket = index.get(key)
    if bucket is None:
        index[key] = doc_id
    elif bucket.__class__ is str:
        if bucket != doc_id:
            index[key] = (bucket, doc_id)
    elif bucket.__class__ is tuple:
        if doc_id not in bucket:
            index[key] = bucket + (doc_id,) if len(bucket) < _SMALL else dict.fromkeys(bucket + (doc_id,))
    else:
        bucket[doc_id] = None


def _bucket_remove(index: dict, key: Any, doc_id: str) -> None:
    bucket = index.get(key)
    if bucket is None:
        return
    if bucket.__class__ is str:
        if bucket == doc_id:
            del index[key]
        return
    if bucket.__class__ is tuple:
        if doc_id not in bucket:
            return
        rest = tuple(i for i in bucket if i != doc_id)
    else:
        bucket.pop(doc_id, None)
        if len(bucket) > _SMALL:
            return
        rest = tuple(bucket)
    if not rest:
        del index[key]
    else:
        index[key] = rest[0] if len(rest) == 1 else rest


def _key(value: Any) -> Any:
    """Index key for a field value (lists and dicts are not hashable)."""
    if value.__class__ is str:  # the usual case, first
        return value
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return value


def _fill_index(index: dict, ids: list[str], values: list) -> None:
    """Add documents ``ids`` (new and distinct, in order), whose field values are ``values``, to the
    index: the buckets (and the order of new values in ``index``) that adding them one by one makes."""
    try:
        keys = values
        first_seen = dict.fromkeys(keys)  # the distinct values, in order of first appearance
    except TypeError:  # lists or dicts: indexed by their JSON
        keys = [_key(v) for v in values]
        first_seen = dict.fromkeys(keys)
    n = len(first_seen)
    if n == 1:  # one value for all (a task's id, a source)
        _bucket_extend(index, keys[0], ids)
    elif n == len(ids) and index.keys().isdisjoint(first_seen):  # a new value each: a bucket of one id
        index.update(zip(keys, ids))
    else:  # one by one; runs of one value (an item's id in its works) share one bucket lookup
        get = index.get
        last = bucket = key = _NOTHING
        for doc_id, value in zip(ids, keys):
            if value is not last:
                last = key = value
                bucket = get(key)
            # The bucket shapes (``_members``): none yet, one id, a tuple of a few, a dict of more. The
            # ids are new and distinct: none is in its bucket already.
            if bucket.__class__ is dict:
                bucket[doc_id] = None
            elif bucket is None:
                index[key] = bucket = doc_id
            elif bucket.__class__ is str:
                index[key] = bucket = (bucket, doc_id)
            elif len(bucket) < _SMALL:
                index[key] = bucket = bucket + (doc_id,)
            else:
                index[key] = bucket = dict.fromkeys(bucket + (doc_id,))


def _bucket_extend(index: dict, key, new_ids: list[str]) -> None:
    """Add ``new_ids`` (new, distinct, in order) to the bucket of ``key`` at once: the bucket they make
    added one by one (a dict grows in place; one id, a tuple of up to ``_SMALL``, else a dict)."""
    bucket = index.get(key)
    if bucket.__class__ is dict:
        bucket.update(dict.fromkeys(new_ids))
        return
    members = () if bucket is None else (bucket,) if bucket.__class__ is str else bucket
    total = len(members) + len(new_ids)
    if total == 1:
        index[key] = new_ids[0]
    elif total <= _SMALL:
        index[key] = members + tuple(new_ids)
    else:
        grown = dict.fromkeys(members)
        grown.update(dict.fromkeys(new_ids))
        index[key] = grown
