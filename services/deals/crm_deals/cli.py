"""`crm-deals-config FILE.yaml`: load pipelines and automation rules from a file, through the
running deals service (so every check holds); safe to run again."""
import argparse
import json
from pathlib import Path

import yaml
from nameko.standalone.rpc import ClusterRpcProxy

from crm_chassis.config import load_config

CONFIG = Path(__file__).with_name("config.yml")


def load_configuration() -> None:
    parser = argparse.ArgumentParser(prog="crm-deals-config", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="YAML: {pipelines: [...], rules: [...]}")
    parser.add_argument("--config", type=Path, default=CONFIG, help="deals config.yml (AMQP_URI)")
    args = parser.parse_args()
    wanted = yaml.safe_load(args.file.read_text(encoding="utf-8")) or {}
    with ClusterRpcProxy(load_config(args.config), timeout=120) as cluster:
        done = cluster.deals.load_configuration(pipelines=wanted.get("pipelines"), rules=wanted.get("rules"))
    print(json.dumps(done, ensure_ascii=False, indent=2))
