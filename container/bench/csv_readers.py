#!/usr/bin/env python3
"""Which C reader parses CSV bodies: numpy.loadtxt or pandas.read_csv, timed and checked in process.

    /usr/bin/python3 container/bench/csv_readers.py     # needs python3-pandas (ensure-deps.sh bench)

Each reader parses the same 200,000 iris rows (3.2 MB) RUNS times (best and median in ms, one
thread), and a body of 100,000 numbers with 17 to 20 significant digits, whose values must be
exactly those Python's float() reads (what the server's exact reader answers), else the reader
would answer differently from the one it stands in for.
"""

import csv
import io
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

RUNS = int(os.environ.get("RUNS", "7"))


def exact(body: bytes) -> np.ndarray:
    text = body.decode()
    return np.asarray([[float(f) for f in row] for row in csv.reader(io.StringIO(text, newline="")) if row])


READERS = {
    "csv.reader + float() (the exact reader)": exact,
    "numpy.loadtxt": lambda body: np.loadtxt(
        io.StringIO(body.decode()), delimiter=",", quotechar='"', comments=None, dtype=np.float64, ndmin=2
    ),
    "pandas.read_csv (C engine, default precision)": lambda body: pd.read_csv(
        io.BytesIO(body), header=None, dtype=np.float64
    ).to_numpy(),
    "pandas.read_csv (C engine, float_precision=round_trip)": lambda body: pd.read_csv(
        io.BytesIO(body), header=None, dtype=np.float64, float_precision="round_trip"
    ).to_numpy(),
}


def main() -> None:
    from sklearn.datasets import load_iris

    X, _ = load_iris(return_X_y=True)
    rows = X[np.arange(200_000) % len(X)]
    body = ("\n".join(",".join(repr(v) for v in row) for row in rows.tolist()) + "\n").encode()
    rng = np.random.default_rng(0)
    digits = rng.integers(10**16, 10**19, 100_000, dtype=np.uint64)
    exponents = rng.integers(-30, 30, 100_000)
    hard = ("\n".join(f"{d}e{e},{d % 7}" for d, e in zip(digits.tolist(), exponents.tolist())) + "\n").encode()
    want = exact(hard)
    print(f"200,000 iris rows ({len(body)} bytes), {RUNS} runs; load average {os.getloadavg()[0]:.2f}")
    print()
    print("| reader | best ms | median ms | same numbers as float() on 100,000 17-20 digit values |")
    print("|---|---:|---:|---|")
    for name, read in READERS.items():
        times = []
        for _ in range(RUNS):
            began = time.perf_counter()
            read(body)
            times.append((time.perf_counter() - began) * 1000)
        got = read(hard)
        differ = int(np.count_nonzero(got != want))
        same = "yes" if differ == 0 else f"no: {differ} values differ"
        print(f"| {name} | {min(times):.1f} | {statistics.median(times):.1f} | {same} |")


if __name__ == "__main__":
    main()
