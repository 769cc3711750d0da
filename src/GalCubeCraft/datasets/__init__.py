"""Datasets for machine learning: specs, on-the-fly and stored datasets, Dask generation."""

from .dataset import CubeDataset, StoreDataset, parameter_table
from .items import galaxies_from_params, parameter_names, render_item
from .spec import DatasetSpec

__all__ = [
    "CubeDataset",
    "DatasetSpec",
    "StoreDataset",
    "galaxies_from_params",
    "parameter_names",
    "parameter_table",
    "render_item",
]


def __getattr__(name: str) -> object:
    """Load :func:`generate_dataset` (and dask) only when it is asked for."""
    if name == "generate_dataset":
        from .batch import generate_dataset

        return generate_dataset
    raise AttributeError(name)
