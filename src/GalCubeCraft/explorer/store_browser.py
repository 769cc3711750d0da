"""Browse a stored dataset on the page: open any store format, step through its items.

A store of any of the four formats (:data:`GalCubeCraft.datasets.FORMATS`) is opened with
:class:`~GalCubeCraft.datasets.StoreDataset`; each item is read with only the arrays the
views need, and its galaxies are rebuilt from its parameter vector, so the parameter
table shows what the store holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import panel as pn

from .shown import Shown, from_store_item

ITEM_ARRAYS = ("noisy", "clean", "params", "galaxy_centre_px")
"""The arrays read of each item: the views', the parameter table's and the centres'."""


class StoreBrowser:
    """The browse card: a path, Open, previous / next and the item number."""

    def __init__(
        self, show: Callable[[Shown], None], say: Callable[[str], None], store: str | None = None
    ) -> None:
        self.show, self.say = show, say
        self.dataset: Any = None
        self.done: list[int] = []
        self.path = pn.widgets.TextInput(
            label="Store path (Zarr, HDF5, npy or FITS folder)",
            value=store or "",
            sizing_mode="stretch_width",
            css_classes=["gcc-store-path"],
        )
        self.open_button = pn.widgets.Button(label="Open", color="primary")
        self.previous = pn.widgets.Button(label="◀ previous")
        self.next = pn.widgets.Button(label="next ▶")
        self.item = pn.widgets.IntInput(label="Item", value=0, start=0)
        self.info = pn.pane.HTML("", name="store_info")
        self.open_button.on_click(lambda _e: self.open(self.path.value))
        self.previous.on_click(lambda _e: self.step(-1))
        self.next.on_click(lambda _e: self.step(+1))
        self.item.param.watch(lambda e: self.load(e.new), "value")

    def widgets(self) -> list[Any]:
        """Return the card's widgets."""
        return [self.path, self.open_button, pn.Row(self.previous, self.next), self.item, self.info]

    def open(self, path: str) -> None:
        """Open the store at ``path`` and show its first written item."""
        from ..datasets import StoreDataset

        try:
            dataset = StoreDataset(path, arrays=ITEM_ARRAYS)
            done = dataset.done_indices()
        except (OSError, ValueError, KeyError) as error:
            self.say(f"<b>cannot open</b> {path}: {error}")
            return
        if not done:
            self.say(f"{path} holds no finished item yet")
            return
        self.dataset, self.done = dataset, sorted(done)
        self.item.end = len(dataset) - 1
        first = self.done[0]
        if self.item.value == first:
            self.load(first)
        else:
            self.item.value = first  # the watcher loads it

    def step(self, by: int) -> None:
        """Show the next (or previous) written item."""
        if not self.done:
            return
        at = self.done.index(self.item.value) if self.item.value in self.done else 0
        self.item.value = self.done[(at + by) % len(self.done)]

    def load(self, index: int) -> None:
        """Show item ``index`` of the open store."""
        if self.dataset is None:
            return
        if index not in self.done:
            self.say(f"item {index} has not been written")
            return
        item = self.dataset[index]
        title = f"{self.dataset.format} store item {index} of {len(self.dataset)}"
        self.show(from_store_item(self.dataset.spec, item, title))
        self.info.object = f"<span id='gcc-store-item'>{title}</span>"
        self.say(f"showing {title} ({self.dataset.path})")
