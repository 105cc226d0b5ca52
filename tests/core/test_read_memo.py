"""``store.ReadMemo``: a value derived from the store is built once per state and never outlives it."""
from mockserver.store import ReadMemo, Store


def _memo():
    store = Store()
    store.table("things").insert({"id": "a", "n": 1})
    return store, store.extension("memo", ReadMemo)


def test_kept_until_a_write_of_any_kind():
    store, memo = _memo()
    things = store.table("things")
    builds = []

    def build():
        builds.append(1)
        return {"n": (things.get("a") or {}).get("n")}

    assert memo.get("k", build) == {"n": 1} and memo.get("k", build) == {"n": 1}
    assert len(builds) == 1  # the second read is the kept value
    writes = [
        lambda: things.update("a", {"n": 2}),
        lambda: things.insert({"id": "b"}),
        lambda: things.insert_many([{"id": "c"}, {"id": "d"}]),
        lambda: things.replace({"id": "a", "n": 3}),
        lambda: things.remove("b"),
        lambda: store.touch(),  # an in-place change announced (the counters' way)
        lambda: store.load(store.export()),
        lambda: store.clear(),
    ]
    for i, write in enumerate(writes):
        if things.get("a") is None:
            things.insert({"id": "a", "n": 9})
        memo.get("k", build)
        before = len(builds)
        write()
        got = memo.get("k", build)
        assert len(builds) == before + 1, f"write {i} left a value of the state before it"
        assert got == {"n": (things.get("a") or {}).get("n")}


def test_a_value_built_while_the_state_changed_is_not_kept():
    store, memo = _memo()
    things = store.table("things")
    builds = []

    def build_across_a_write():
        builds.append(1)
        if len(builds) == 1:
            things.update("a", {"n": 5})  # (another writer, between the start and the end of the build)
        return len(builds)

    assert memo.get("k", build_across_a_write) == 1
    assert memo.get("k", build_across_a_write) == 2  # built again: the first was of no single state
    assert memo.get("k", build_across_a_write) == 2  # and this one, of an unchanged state, is kept


def test_keys_are_apart_and_the_memo_is_bounded():
    store, memo = _memo()
    assert memo.get(("a", True), lambda: "with") == "with"
    assert memo.get(("a", False), lambda: "without") == "without"
    assert memo.get(("a", True), lambda: "again") == "with"
    for i in range(ReadMemo.LIMIT + 10):
        memo.get(i, lambda: i)
    assert memo.get(ReadMemo.LIMIT + 5, lambda: "built") == "built"  # past the bound: built, not kept


def test_each_store_has_its_own():
    a, b = Store(), Store()
    assert a.extension("memo", ReadMemo).get("k", lambda: "a") == "a"
    assert b.extension("memo", ReadMemo).get("k", lambda: "b") == "b"
