"""The survey tests' one Dask cluster, shared by the session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def dask_client():
    """One two-worker, in-process Dask cluster for every survey test (CI has 2 cores)."""
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                           dashboard_address=":0")  # fmt: skip
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()
