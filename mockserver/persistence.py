"""``--data PATH``: the state kept in a JSON file, with a promise that fits in one sentence.

**While the state changes it is snapshotted every ``INTERVAL`` (1 s), so a ``kill -9`` of the server loses
at most the changes of the last second; the file is always one whole snapshot; saving never holds up a
request; a failed save is said on the console and retried until it succeeds.**

How:

* Snapshots are copy-on-write: the persister takes the store's lock only for a ``fork()``; the child
  process serialises the state as it was at that instant, writes a temporary file in the same directory,
  fsyncs it and renames it over ``PATH`` (atomic on POSIX), then reports success or the reason through a
  pipe. The server keeps answering meanwhile. A child outlives a ``kill -9`` of its parent, so a snapshot
  that had started still lands. Where ``fork`` does not exist, the snapshot is serialised in the
  persister thread under the lock (requests wait for that one save).
* One server per file: an exclusive ``flock`` on ``PATH.lock`` (holding the owner's pid) is taken before
  the file is read; a second server refuses to start and names the holder.
* The file is read at start and validated as a state (an object of table name -> documents with string
  ids); anything else refuses to start, naming the file.
"""
from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import threading
import time
import warnings

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, one server per file is on the user
    fcntl = None

INTERVAL = 1.0
RETRY_MAX = 30.0


class DataFileError(ValueError):
    """The data file cannot be used; the message names the file and the reason."""


def check_state(data) -> None:
    """Raise ``ValueError`` unless ``data`` has the shape ``Store.export`` produces."""
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, list) for k, v in data.items()):
        raise ValueError("state must be an object of table name -> list of documents")
    for name, docs in data.items():
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not doc["id"]:
                raise ValueError(f"table {name!r}: every document needs a string 'id'")


def lock(path: str):
    """Take the file's lock (an open file object to keep) or raise ``DataFileError`` naming the holder."""
    if fcntl is None:
        return None
    lock_path = f"{path}.lock"
    try:
        fh = open(lock_path, "a+", encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot create the lock file {lock_path} ({exc.strerror})") from None
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip() or "unknown"
        fh.close()
        raise DataFileError(f"{path}: in use by another mockserver (pid {holder}); stop it or choose another file") \
            from None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


def read(path: str) -> dict | None:
    """The validated state in ``path``, or None when the file does not exist yet."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise DataFileError(f"{path}: not a JSON state file (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise DataFileError(f"{path}: not a JSON state file (line {exc.lineno}: {exc.msg})") from None
    except ValueError as exc:
        raise DataFileError(f"{path}: not a JSON state file ({exc})") from None
    try:
        check_state(data)
    except ValueError as exc:
        raise DataFileError(f"{path}: not a state file ({exc})") from None
    return data


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _serialise(data: dict) -> bytes:
    return json.dumps({name: list(docs.values()) for name, docs in sorted(data.items())},
                      separators=(",", ":"), allow_nan=False).encode("utf-8")


def write_atomically(path: str, payload: bytes) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".mockserver-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def snapshot(store, path: str) -> None:
    """Write the store's state to ``path`` as one atomic snapshot; raise ``OSError`` on failure."""
    if not hasattr(os, "fork"):
        with store.lock:
            payload = _serialise(store.db.storage.read())
        write_atomically(path, payload)
        return
    read_end, write_end = os.pipe()
    with store.lock, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only writes a file
        pid = os.fork()
    if pid == 0:  # the child: serialise the frozen state, write it, say how it went, leave without cleanup
        os.close(read_end)
        gc.disable()  # no finalizer of the parent's objects may run here
        code, message = 0, b""
        try:
            write_atomically(path, _serialise(store.db.storage.read()))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            code, message = 1, (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).encode("utf-8", "replace")
        try:
            os.write(write_end, message)
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        chunks = []
        while True:
            chunk = os.read(read_end, 4096)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise OSError(b"".join(chunks).decode("utf-8", "replace") or f"the snapshot process ended with {status}")


class Persister:
    """Saves the store to its file at most ``interval`` seconds after each change, and at stop.

    A failed save is said once on ``log`` and retried with a growing pause (up to ``RETRY_MAX``); the
    first success after failures is said too. The thread never dies of a failed save."""

    def __init__(self, store, path: str | None, interval: float = INTERVAL, log=None):
        self.store, self.path, self.interval = store, path, interval
        self.log = log or sys.stderr
        self.saved_version = store.version if path else 0
        self.failing: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mockserver-persister", daemon=True)

    def start(self) -> None:
        if self.path:
            self._thread.start()

    def save(self) -> bool:
        """Save now if anything changed since the last save; True on success (or nothing to do)."""
        if not self.path:
            return True
        version = self.store.version
        if version == self.saved_version and os.path.exists(self.path):
            return True
        try:
            snapshot(self.store, self.path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            if self.failing != reason:
                self._say(f"mockserver: cannot save the state to {self.path}: {reason} (retrying)")
            self.failing = reason
            return False
        if self.failing is not None:
            self._say(f"mockserver: the state is saved to {self.path} again")
            self.failing = None
        self.saved_version = version
        return True

    def _say(self, text: str) -> None:
        try:
            print(text, file=self.log, flush=True)
        except (OSError, ValueError):
            pass

    def _run(self) -> None:
        pause = self.interval
        while not self._stop.wait(pause):
            started = time.monotonic()
            ok = self.save()
            # Measured from the start of a save, so a change waits at most one interval (plus one save).
            pause = max(0.0, self.interval - (time.monotonic() - started)) if ok else min(RETRY_MAX, pause * 2)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self.save()
