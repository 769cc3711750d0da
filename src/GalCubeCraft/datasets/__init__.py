"""Datasets for machine learning: on-the-fly and stored datasets, stores, Dask generation."""

from ..priors.spec import DatasetSpec
from .checksums import DamagedItemError
from .dataset import CubeDataset, StoreDataset
from .items import ARRAY_NAMES, galaxies_from_params, parameter_names, render_item
from .splits import Subset, split_indices
from .stores import FORMATS, open_store
from .tables import ParameterTables, parameter_table
from .transforms import Compose, NoiseNormalise, PeakNormalise
from .verify import VerifyReport, verify_store

__all__ = [
    "ARRAY_NAMES",
    "FORMATS",
    "Compose",
    "CubeDataset",
    "DamagedItemError",
    "DatasetSpec",
    "NoiseNormalise",
    "ParameterTables",
    "PeakNormalise",
    "StoreDataset",
    "Subset",
    "VerifyReport",
    "galaxies_from_params",
    "open_store",
    "parameter_names",
    "parameter_table",
    "render_item",
    "split_indices",
    "verify_store",
]


def __getattr__(name: str) -> object:
    """Load :func:`generate_dataset` (and dask) only when it is asked for."""
    if name == "generate_dataset":
        from .batch import generate_dataset

        return generate_dataset
    raise AttributeError(name)
