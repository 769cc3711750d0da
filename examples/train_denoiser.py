"""Train a small 3D U-Net to denoise GalCubeCraft cubes, and compare it with smoothing.

Run:  python examples/train_denoiser.py [--out denoiser_run] [--workers 2] [--tiny]

Needs PyTorch (``pip install torch``; the package itself does not) beside the ``ml``
extra.  The recipe:

- the data: the lahiry2026-denoising set (Lahiry et al. 2026, arXiv:2602.10893):
  Sersic disks with exponential vertical profiles, beam-convolved, with spatially
  correlated (beam-convolved) Gaussian noise at a peak S/N drawn uniformly in 2.5-8;
  written to a Zarr store by ``generate_dataset`` (a stopped run resumes, a complete
  store is reused);
- the split: 80/10/10 by item index (items are independent draws, so contiguous blocks
  are as random as any shuffle, and the same on every run);
- the scale: each cube divided by its own noise rms (the ``noise_rms`` column of its
  parameters), so the network sees noise of unit rms and emission peaking at 2.5-8;
- the network: a 3D U-Net with two levels of average pooling (averaging, unlike max
  pooling, keeps the flux, as in the paper), LeakyReLU, MSE loss, Adam with a cosine
  learning rate, random flips of the three axes (and swaps of the two sky axes when the
  beam is round); the weights of the epoch with the lowest validation loss are kept;
- the baseline: the noisy cube smoothed by a Gaussian whose width on the sky (a multiple
  of the beam's) and along the spectrum are the pair, of 25, with the best mean PSNR on
  the validation cubes; the noise is already beam-correlated, so the beam width itself
  need not be the best choice, and the validation cubes settle it;
- the metrics, on the test cubes only: PSNR = 20 log10(peak of the clean cube / rms of
  the estimate's error), per cube, then mean and standard deviation over the cubes;
  flux recovery = the estimate's sum over the voxels where the clean cube exceeds its
  noise rms, over the clean cube's sum there, mean and standard deviation.  Most voxels
  hold no emission, so a cube of zeros scores a fair PSNR: its row is printed too.

Measured on 1,000 cubes (``--n-cubes 1000 --epochs 8``, seed 0; 6.4 minutes of training
on one thread): on the 100 test cubes the PSNR is 14.2 dB noisy, 26.8 dB smoothed (sky
sigma 2 beam sigmas, 4 channels), 37.0 dB from the U-Net (+10.1 dB) and 25.8 dB for a
cube of zeros; the flux recovered is 0.99 +- 0.11, 0.27 +- 0.08 and 0.91 +- 0.13.

It prints a table, and writes ``metrics.json`` and ``denoiser.png`` (moment 0 and the
brightest channel of one test cube: noisy, baseline, network, truth) to ``--out``.
Runs are deterministic for a given seed and thread count, unless training is stopped by
its time cap (``--minutes``, 11 by default: on 2 cores the 7 default epochs should end
well before it; ``stopped_early`` in the JSON says when they did not).
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from GalCubeCraft.datasets import DatasetSpec, StoreDataset, parameter_names
from GalCubeCraft.datasets import split_indices as package_split_indices
from GalCubeCraft.datasets.batch import generate_dataset

if TYPE_CHECKING:  # annotations only: torch is imported where it is used (see build_unet)
    import torch
    from matplotlib.figure import Figure

DEFAULTS = {"n_cubes": 3000, "grid": 32, "n_chan": 32, "epochs": 7, "width": 8, "batch": 8,
            "minutes": 11.0}  # fmt: skip
"""The full run: 3,000 cubes made and a U-Net trained in under 15 minutes on 2 cores."""
TINY = {"n_cubes": 24, "grid": 32, "n_chan": 16, "epochs": 1, "width": 4, "batch": 4}
"""``--tiny``: the same pipeline in seconds, for CI (the metrics are not meaningful)."""
SPLIT = (0.8, 0.1, 0.1)
"""Train, validation and test fractions, as in the paper."""
MASK_RMS = 1.0
"""Flux recovery counts the voxels where the clean cube exceeds this many noise rms."""
SKY_SIGMAS_BEAM = (0.5, 1.0, 1.5, 2.0, 3.0)
"""Baseline candidates on the sky: Gaussian sigma in units of the beam's sigma ..."""
CHANNEL_SIGMAS = (0.0, 1.0, 2.0, 4.0, 8.0)
"""... and along the spectrum, in channels (0: no spectral smoothing)."""


# --- The data ------------------------------------------------------------------------------


def denoising_spec(n_cubes: int, grid: int, n_chan: int, seed: int) -> DatasetSpec:
    """Return the ``lahiry2026-denoising`` preset at this size.

    The preset (Lahiry et al. 2026, arXiv:2602.10893; its TOML file says what is taken
    from the paper and what was chosen) is 20,000 cubes of 64 x 64 x 40 at peak S/N
    2.5-8; this example trains on fewer, smaller cubes so that it fits 15 minutes on two
    cores.  Its render accuracy is 'auto': at these S/N every item renders at 'fast'.
    """
    return DatasetSpec.from_preset(
        "lahiry2026-denoising",
        n_cubes=n_cubes,
        seed=seed,
        observation={"grid_size": grid, "n_chan": n_chan},
    )


def split_indices(n_cubes: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Return the train, validation and test indices: the package's deterministic 80/10/10.

    :func:`GalCubeCraft.datasets.split_indices` assigns each index by a hash of
    ``(seed, index)`` with exact sizes, so the split is the same on every machine.
    """
    if n_cubes < 3:
        raise ValueError(f"--n-cubes must be at least 3 to split 80/10/10; got {n_cubes}")
    parts = package_split_indices(n_cubes, SPLIT, seed)
    return dict(zip(("train", "val", "test"), parts, strict=True))


@dataclass(frozen=True)
class Cubes:
    """Noisy and clean cubes of one split, in units of each cube's noise rms."""

    indices: np.ndarray
    noisy: np.ndarray  # (n, n_chan, ny, nx) float32
    clean: np.ndarray
    noise_rms: np.ndarray  # (n,) Jy/beam: what the cubes were divided by

    @property
    def peak_snr(self) -> np.ndarray:
        """Return each cube's peak S/N (its clean peak, in noise rms)."""
        return self.clean.max(axis=(1, 2, 3))


def load_cubes(path: Path, indices: np.ndarray) -> Cubes:
    """Read the items ``indices`` of the store at ``path`` into memory, scaled to unit noise."""
    dataset = StoreDataset(path, arrays=("noisy", "clean", "params"))
    column = parameter_names(dataset.spec).index("noise_rms")
    shape = (len(indices), *dataset.spec.shape)
    noisy, clean = np.empty(shape, np.float32), np.empty(shape, np.float32)
    rms = np.empty(len(indices))
    for k, index in enumerate(indices):
        item = dataset[int(index)]
        rms[k] = item["params"][column]
        noisy[k] = item["noisy"] / rms[k]
        clean[k] = item["clean"] / rms[k]
    return Cubes(indices, noisy, clean, rms)


# --- The metrics and the baseline ----------------------------------------------------------


def psnr_db(estimate: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Return each cube's PSNR: 20 log10(peak of the clean cube / rms of the error), in dB."""
    axes = tuple(range(1, clean.ndim))
    rmse = np.sqrt(np.mean((estimate.astype(np.float64) - clean) ** 2, axis=axes))
    return 20.0 * np.log10(clean.max(axis=axes) / rmse)


def flux_recovery(estimate: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Return each cube's recovered flux over the true one, where the truth exceeds 1 rms."""
    axes = tuple(range(1, clean.ndim))
    mask = clean > MASK_RMS  # the cubes are in noise rms units
    return (estimate * mask).sum(axis=axes, dtype=np.float64) / (clean * mask).sum(
        axis=axes, dtype=np.float64
    )


def smooth(noisy: np.ndarray, sigma_chan: float, sigma_px: float) -> np.ndarray:
    """Return the cubes smoothed by a unit-sum Gaussian (sigmas in channels and pixels)."""
    return ndimage.gaussian_filter(noisy, (0.0, sigma_chan, sigma_px, sigma_px), mode="constant")


def choose_baseline(val: Cubes, beam_sigma_px: float) -> tuple[float, float]:
    """Return the (channel, pixel) sigmas of the candidate with the best mean validation PSNR."""
    candidates = [(c, s * beam_sigma_px) for c in CHANNEL_SIGMAS for s in SKY_SIGMAS_BEAM]
    scores = [psnr_db(smooth(val.noisy, *pair), val.clean).mean() for pair in candidates]
    return candidates[int(np.argmax(scores))]


def summary(estimate: np.ndarray, cubes: Cubes) -> dict[str, float]:
    """Return the mean and standard deviation of PSNR and flux recovery over the cubes."""
    psnr, flux = psnr_db(estimate, cubes.clean), flux_recovery(estimate, cubes.clean)
    return {
        "psnr_db": float(psnr.mean()),
        "psnr_db_std": float(psnr.std()),
        "flux_recovery": float(flux.mean()),
        "flux_recovery_std": float(flux.std()),
    }


# --- The network ---------------------------------------------------------------------------


def build_unet(width: int) -> torch.nn.Module:
    """Return a 3D U-Net: two average-pooling levels, ``width`` channels at the top.

    torch is imported here and not at the top of the script: Dask's worker processes
    re-import this script to render cubes, and need no torch for that.
    """
    from torch import cat, nn

    def block(n_in: int, n_out: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv3d(n_in, n_out, 3, padding=1),
            nn.LeakyReLU(0.1),
            nn.Conv3d(n_out, n_out, 3, padding=1),
            nn.LeakyReLU(0.1),
        )

    class UNet3D(nn.Module):
        """Encoder-decoder with skip connections; it predicts the clean cube."""

        def __init__(self) -> None:
            super().__init__()
            w = width
            self.down1, self.down2, self.bottom = block(1, w), block(w, 2 * w), block(2 * w, 4 * w)
            self.pool = nn.AvgPool3d(2)
            self.up2, self.dec2 = nn.ConvTranspose3d(4 * w, 2 * w, 2, stride=2), block(4 * w, 2 * w)
            self.up1, self.dec1 = nn.ConvTranspose3d(2 * w, w, 2, stride=2), block(2 * w, w)
            self.head = nn.Conv3d(w, 1, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            a = self.down1(x)
            b = self.down2(self.pool(a))
            c = self.bottom(self.pool(b))
            b = self.dec2(cat([self.up2(c), b], dim=1))
            return self.head(self.dec1(cat([self.up1(b), a], dim=1)))

    return UNet3D()


def predict(net: torch.nn.Module, noisy: np.ndarray, batch: int) -> np.ndarray:
    """Return the network's estimate of the clean cubes."""
    import torch

    net.eval()
    with torch.no_grad():
        parts = [
            net(torch.from_numpy(noisy[k : k + batch, None])).numpy()[:, 0]
            for k in range(0, len(noisy), batch)
        ]
    return np.concatenate(parts)


def augment(
    x: torch.Tensor, y: torch.Tensor, generator: torch.Generator, sky: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """Flip the batch along random axes (the spectrum; the sky too when ``sky``)."""
    import torch

    coins = torch.rand(4, generator=generator) < 0.5
    dims = [d for d, coin in zip((2, 3, 4), coins[:3], strict=True) if coin and (sky or d == 2)]
    if dims:
        x, y = torch.flip(x, dims), torch.flip(y, dims)
    if sky and coins[3]:
        x, y = x.transpose(3, 4), y.transpose(3, 4)
    return x, y


def train(
    net: torch.nn.Module, train_set: Cubes, val: Cubes, args: argparse.Namespace, sky_flips: bool
) -> list[dict[str, float]]:
    """Train with Adam on the MSE; keep the weights of the best validation epoch.

    Stops after ``args.epochs`` epochs, or within a step of ``args.minutes`` (the last
    epoch then ends early, ``steps`` saying how far it went).  Returns one row per epoch:
    training and validation MSE (noise rms units), steps and seconds.
    """
    import torch

    generator = torch.Generator().manual_seed(args.seed)
    x_all = torch.from_numpy(train_set.noisy)[:, None]
    y_all = torch.from_numpy(train_set.clean)[:, None]
    steps = math.ceil(len(x_all) / args.batch)
    optimiser = torch.optim.Adam(net.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=args.epochs * steps)
    deadline = time.perf_counter() + 60.0 * args.minutes if args.minutes else math.inf
    history: list[dict[str, float]] = []
    best = (math.inf, copy.deepcopy(net.state_dict()))
    for epoch in range(1, args.epochs + 1):
        start, total, seen = time.perf_counter(), 0.0, 0
        net.train()
        order = torch.randperm(len(x_all), generator=generator)
        for step in range(steps):
            chosen = order[step * args.batch : (step + 1) * args.batch]
            x, y = augment(x_all[chosen], y_all[chosen], generator, sky_flips)
            loss = torch.nn.functional.mse_loss(net(x), y)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total, seen = total + float(loss.detach()) * len(chosen), seen + len(chosen)
            if time.perf_counter() > deadline:
                break
        val_mse = float(np.mean((predict(net, val.noisy, args.batch) - val.clean) ** 2))
        row = {"epoch": epoch, "steps": step + 1, "train_mse": total / seen, "val_mse": val_mse,
               "seconds": time.perf_counter() - start}  # fmt: skip
        history.append(row)
        print(f"epoch {epoch}/{args.epochs}: train MSE {row['train_mse']:.4f}, validation MSE "
              f"{val_mse:.4f} ({row['seconds']:.0f} s)", flush=True)  # fmt: skip
        if val_mse < best[0]:
            best = (val_mse, copy.deepcopy(net.state_dict()))
        if time.perf_counter() > deadline:
            print(f"stopped: --minutes {args.minutes:g} reached", flush=True)
            break
    net.load_state_dict(best[1])
    return history


# --- The report ----------------------------------------------------------------------------


def denoiser_figure(test: Cubes, estimates: dict[str, np.ndarray]) -> tuple[Figure, int]:
    """Return moment 0 and the brightest channel of the test cube of median peak S/N.

    Columns: each estimate, then the truth; returns the figure and the item drawn.
    """
    from matplotlib.figure import Figure

    k = int(np.argsort(test.peak_snr)[len(test.peak_snr) // 2])
    truth = test.clean[k]
    channel = int(np.argmax(truth.sum(axis=(1, 2))))
    panels = {**{name: cubes[k] for name, cubes in estimates.items()}, "truth": truth}
    fig = Figure(figsize=(3.0 * len(panels), 6.4), layout="constrained")
    axes = fig.subplots(2, len(panels), squeeze=False)
    views = (
        ("moment 0", lambda cube: cube.sum(axis=0)),
        (f"channel {channel}", lambda cube: cube[channel]),
    )
    for row, (view, take) in enumerate(views):
        top = float(take(truth).max())
        for col, (name, cube) in enumerate(panels.items()):
            ax = axes[row, col]
            ax.imshow(take(cube), origin="lower", cmap="inferno", vmin=-0.2 * top, vmax=top)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                psnr = (
                    ""
                    if name == "truth"
                    else f"\nPSNR {psnr_db(cube[None], truth[None])[0]:.1f} dB"
                )
                ax.set_title(f"{name}{psnr}")
        axes[row, 0].set_ylabel(view)
    item = int(test.indices[k])
    fig.suptitle(
        f"test item {item}: peak S/N {test.peak_snr[k]:.1f} "
        "(PSNR of the whole cube; one colour scale per row, in noise rms)"
    )
    return fig, item


def print_table(metrics: dict[str, dict[str, float]], n_test: int) -> None:
    """Print PSNR and flux recovery of each estimate on the test cubes."""
    print(f"\nheld-out test cubes: {n_test}")
    print(f"{'estimate':<10} {'PSNR (dB)':>16} {'flux recovery':>17}")
    for name, m in metrics.items():
        print(
            f"{name:<10} {m['psnr_db']:>8.2f} ± {m['psnr_db_std']:<5.2f} "
            f"{m['flux_recovery']:>9.3f} ± {m['flux_recovery_std']:.3f}"
        )


# --- The command line ----------------------------------------------------------------------


def positive(text: str) -> int:
    """Return ``text`` as an integer >= 1 (argparse's type for counts)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1; got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the example's argument parser (defaults: the full run, :data:`DEFAULTS`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-cubes", type=positive, help="cubes in the store (all splits)")
    parser.add_argument("--grid", type=positive, help="pixels per side (a multiple of 4)")
    parser.add_argument("--n-chan", type=positive, help="channels (a multiple of 4)")
    parser.add_argument("--epochs", type=positive, help="training epochs")
    parser.add_argument(
        "--minutes", type=float, help="stop training after this many minutes (0: never)"
    )
    parser.add_argument("--width", type=positive, help="U-Net channels at full resolution")
    parser.add_argument("--batch", type=positive, help="cubes per training step")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam's initial learning rate")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="Dask workers generating the cubes (0: in this process)",
    )
    parser.add_argument(
        "--threads", type=positive, default=os.cpu_count() or 1, help="torch threads for training"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("denoiser_run"),
        help="folder for the store, metrics.json and denoiser.png",
    )
    parser.add_argument("--seed", type=int, default=0, help="data set and training seed")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help=f"a run of seconds for CI: {TINY} (options given still apply)",
    )
    parser.set_defaults(**DEFAULTS)
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse ``argv``; ``--tiny`` swaps in :data:`TINY` for the options not given."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.tiny:
        parser.set_defaults(**TINY)
        args = parser.parse_args(argv)
    for name in ("grid", "n_chan"):
        if getattr(args, name) % 4:
            parser.error(
                f"--{name.replace('_', '-')} must be a multiple of 4 (two poolings); "
                f"got {getattr(args, name)}"
            )
    return args


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the cubes, train, evaluate on the test cubes and report."""
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    spec = denoising_spec(args.n_cubes, args.grid, args.n_chan, args.seed)
    shape = "x".join(map(str, spec.shape))
    store = args.out / f"lahiry2026-denoising_{args.n_cubes}_{shape}_seed{args.seed}.zarr"
    report = generate_dataset(spec, store, workers=args.workers, progress=sys.stderr.isatty())
    print(f"{store}: {report.written} cubes made, {report.skipped} reused", flush=True)
    seconds["generate"] = time.perf_counter() - clock

    clock = time.perf_counter()
    splits = {
        name: load_cubes(store, indices) for name, indices in split_indices(args.n_cubes).items()
    }
    seconds["load"] = time.perf_counter() - clock

    clock = time.perf_counter()
    beam = spec.observation.beam
    beam_sigma_px = math.sqrt(beam.bmaj_px * beam.bmin_px) / math.sqrt(8.0 * math.log(2.0))
    sigma_chan, sigma_px = choose_baseline(splits["val"], beam_sigma_px)
    print(
        f"baseline: Gaussian sigma {sigma_px:.2f} px ({sigma_px / beam_sigma_px:g} beam sigma), "
        f"{sigma_chan:g} channels",
        flush=True,
    )
    seconds["choose_baseline"] = time.perf_counter() - clock

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    clock = time.perf_counter()
    net = build_unet(args.width)
    history = train(
        net, splits["train"], splits["val"], args, sky_flips=beam.bmaj_px == beam.bmin_px
    )
    seconds["train"] = time.perf_counter() - clock
    full_epoch = math.ceil(len(splits["train"].indices) / args.batch)
    stopped_early = len(history) < args.epochs or history[-1]["steps"] < full_epoch

    clock = time.perf_counter()
    test = splits["test"]
    estimates = {
        "noisy": test.noisy,
        "baseline": smooth(test.noisy, sigma_chan, sigma_px),
        "U-Net": predict(net, test.noisy, args.batch),
    }
    metrics = {name: summary(estimate, test) for name, estimate in estimates.items()}
    # What PSNR means here: most voxels hold no emission, so a cube of zeros scores well.
    metrics["zeros"] = summary(np.zeros_like(test.clean), test)
    seconds["evaluate"] = time.perf_counter() - clock
    figure, drawn = denoiser_figure(test, estimates)
    figure.savefig(args.out / "denoiser.png", dpi=90)
    seconds["total"] = sum(seconds.values())

    print_table(metrics, len(test.indices))
    gain = metrics["U-Net"]["psnr_db"] - metrics["baseline"]["psnr_db"]
    print(f"U-Net PSNR gain over the baseline: {gain:+.2f} dB; took {seconds['total']:.0f} s")
    result = {
        "spec": spec.to_toml(),
        "store": str(store),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "splits": {name: len(cubes.indices) for name, cubes in splits.items()},
        "baseline_sigma_channels": sigma_chan,
        "baseline_sigma_px": sigma_px,
        "unet_parameters": sum(p.numel() for p in net.parameters()),
        "history": history,
        "stopped_early": stopped_early,
        "test": metrics,
        "psnr_gain_over_baseline_db": gain,
        "figure_item": drawn,
        "seconds": seconds,
    }
    (args.out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":  # Dask starts worker processes: scripts need the guard
    sys.exit(main())
