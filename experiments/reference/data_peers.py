"""Thesis Table 2.1 statistics of a `user item` file with pandas or polars: the peers of
`seqrec stats FILE` in `scripts/bench data` (our own code, not taken from another project).

Usage: python data_peers.py pandas|pandas-pyarrow|polars FILE
Prints one line: users items interactions mean median long-tail-percent.
"""
import sys


def pandas_stats(path, engine):
    import pandas as pd
    df = pd.read_csv(path, sep=" ", header=None, names=["user", "item"], engine=engine,
                     dtype={"user": "string", "item": "string"} if engine == "pyarrow" else None)
    lengths = df.groupby("user", sort=False).size()
    counts = df.groupby("item", sort=False).size()
    return len(lengths), len(counts), len(df), lengths.mean(), lengths.median(), 100.0 * (counts < 5).mean()


def polars_stats(path):
    import polars as pl
    df = pl.read_csv(path, separator=" ", has_header=False, new_columns=["user", "item"])
    lengths = df.group_by("user").len()["len"]
    counts = df.group_by("item").len()["len"]
    return (lengths.len(), counts.len(), df.height, lengths.mean(), lengths.median(),
            100.0 * (counts < 5).sum() / counts.len())


if __name__ == "__main__":
    tool, path = sys.argv[1], sys.argv[2]
    if tool == "pandas":
        s = pandas_stats(path, "c")
    elif tool == "pandas-pyarrow":
        s = pandas_stats(path, "pyarrow")
    elif tool == "polars":
        s = polars_stats(path)
    else:
        sys.exit(f"unknown tool {tool!r}: pandas | pandas-pyarrow | polars")
    users, items, interactions, mean, median, tail = s
    print(f"{users} {items} {interactions} {mean:.2f} {median:g} {tail:.2f}")
