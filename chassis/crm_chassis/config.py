"""Service configuration: a `config.yml` with `${VAR:default}` placeholders, read once per process.

`nameko run --config` reads the same file with the same parser; this module serves the
processes that are not nameko runners (migrations, topology, the parked-events command).
"""
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

_parser_ready = False


def load_config(path: str | Path) -> dict:
    global _parser_ready
    if not _parser_ready:
        setup_yaml_parser()
        _parser_ready = True
    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)
