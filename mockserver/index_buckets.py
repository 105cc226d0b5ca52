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
