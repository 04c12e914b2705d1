"""Helpers for the CLI tests: run the CLI (in-process or as a process) and read the API directly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner, Result

from dcnet.cli.main import app

# Variables of the user's shell that would change what the CLI does.
CLEAN_ENV: dict[str, str | None] = {
    "DCNET_URL": None,
    "DCNET_TOKEN": None,
    "DCNET_PASSWORD": None,
    "COLUMNS": None,
}


def invoke(config: Path, *args: str, input: str | None = None, env: dict[str, str | None] | None = None) -> Result:
    """Runs `dcnet ARGS` in-process with its session at `config`."""
    environment = {**CLEAN_ENV, "DCNET_CONFIG": str(config), **(env or {})}
    return CliRunner().invoke(app, list(args), input=input, env=environment)


def find(api: httpx.Client, collection: str, element: str, name: str) -> list[dict]:
    """The objects of a collection with exactly this name, as the API holds them."""
    return [item for item in api.get(f"/{collection}").json()[element] if item["name"] == name]


def one(api: httpx.Client, collection: str, element: str, name: str) -> dict:
    found = find(api, collection, element, name)
    assert len(found) == 1, found
    return found[0]


def default_dc(api: httpx.Client) -> dict:
    return one(api, "datacenters", "data_center", "Default")


def spawn(config: Path, *args: str) -> subprocess.Popen[str]:
    """`python -m dcnet.cli.main ARGS` as a separate process, its output readable line by line."""
    environment = {key: value for key, value in os.environ.items() if key not in CLEAN_ENV}
    environment |= {"DCNET_CONFIG": str(config), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "dcnet.cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
