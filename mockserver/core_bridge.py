"""The core's error base class, importable before and after the core package grows."""
try:
    from .core.errors import CoreError  # noqa: F401
except ImportError:  # pragma: no cover - only while the core is being written
    class CoreError(Exception):
        pass
