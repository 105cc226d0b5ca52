"""The core's stored state without its timestamps: how two runs that must end alike are compared."""


def strip_times(value):
    if isinstance(value, dict):
        return {k: strip_times(v) for k, v in value.items() if k not in ("created_at", "updated_at", "submitted_at", "at")}
    if isinstance(value, list):
        return [strip_times(v) for v in value]
    return value


def core_state(store):
    return strip_times({name: docs for name, docs in store.export().items() if name.startswith("core_")})
