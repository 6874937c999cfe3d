"""The library the running bot uses, and the cheap check that reloads it when ladder files change."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from frameworks.errors import FrameworkError
from frameworks.loader import PACKAGE_DIR, load_library, yaml_files_in
from frameworks.model import Library

# What the ladder directories hold: (path, inode, mtime in ns, size) per YAML file, or (directory,) when
# the directory cannot be listed.
_Fingerprint = tuple[tuple[str, ...] | tuple[str, int, int, int], ...]

log = logging.getLogger(__name__)


class LibraryHolder:
    """The library the running bot uses. `reload()` swaps in a new one only if it loads cleanly.

    `reload_if_changed()` is the cheap check the scheduler makes every tick: it lists and stats the
    YAML files of the bundled and extra directories and reloads only when that differs from the last
    load, and a broken state is tried (and reported) once, not again every tick until it changes.
    """

    def __init__(
        self,
        extra_dirs: Sequence[Path | str] = (),
        *,
        library: Library | None = None,
        loader: Callable[[Sequence[Path | str]], Library] = load_library,
    ) -> None:
        self._extra_dirs = tuple(extra_dirs)
        self._loader = loader
        self._lock = threading.Lock()
        # Taken before loading, so an edit made while loading is seen by the next check.
        self._fingerprint = self._files_fingerprint()
        self._library = library if library is not None else loader(self._extra_dirs)
        self.last_error: FrameworkError | None = None

    @property
    def library(self) -> Library:
        return self._library

    def reload(self) -> Library:
        """Load again; on failure keep the last good library and raise the `FrameworkError`."""
        with self._lock:
            return self._reload_locked(self._files_fingerprint())

    def _reload_locked(self, fingerprint: _Fingerprint) -> Library:
        # A failing fingerprint is remembered too, so the same broken files are not retried every tick.
        self._fingerprint = fingerprint
        try:
            library = self._loader(self._extra_dirs)
        except FrameworkError as error:
            self.last_error = error
            raise
        self._library = library
        self.last_error = None
        return library

    def reload_if_changed(self) -> FrameworkError | None:
        """Reload when a ladder file was added, removed or changed since the last load.

        Returns the `FrameworkError` when that reload failed (logged at ERROR; the last good library
        stays), else None: nothing changed, the reload worked, or these same files already failed.
        """
        with self._lock:
            fingerprint = self._files_fingerprint()
            if fingerprint == self._fingerprint:
                return None
            try:
                library = self._reload_locked(fingerprint)
            except FrameworkError as error:
                log.error("ladders changed but do not load; keeping the last good ones: %s", error)
                return error
        log.info("ladders changed on disk: reloaded %d ladder(s)", len(library.frameworks))
        return None

    def _files_fingerprint(self) -> _Fingerprint:
        entries: list[tuple[str, ...] | tuple[str, int, int, int]] = []
        for directory in (PACKAGE_DIR, *(Path(d) for d in self._extra_dirs)):
            try:
                files = yaml_files_in(directory)
            except (FrameworkError, OSError):
                entries.append((str(directory),))
                continue
            for path in files:
                try:
                    stat = path.stat()
                except OSError:  # removed between listing and stat: the next check sees it gone
                    entries.append((str(path),))
                    continue
                entries.append((str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size))
        return tuple(entries)

    def try_reload(self) -> FrameworkError | None:
        """Like `reload()` but returns the error (or None) instead of raising it."""
        try:
            self.reload()
        except FrameworkError as error:
            return error
        return None
