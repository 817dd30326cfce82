"""Legacy leads from the command line, through the running leads service (so every rule holds).

    crm-import-leads FILE.csv --mapping MAPPING.yaml      import, with a progress bar; re-runs skip
    crm-migrate-stages --mapping MAPPING.yaml             move leads out of legacy stages in batches

MAPPING.yaml:
    columns:        {legacy_id: ID, name: Имя, phone: Телефон, email: Email, title: Название,
                     message: Комментарий, stage: Статус, request_type: Тип заявки,
                     client_type: Тип клиента, created_at: Создан}
    stages:         {"Новая": new, "Отказ - дорого": lost_expensive}   # straight into the new scheme
    legacy_stages:  ["Думает"]                                       # kept as deprecated stages...
    migrate:        {"Думает": in_work}                               # ...and moved on later
"""
import argparse
import csv
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from nameko.standalone.rpc import ClusterRpcProxy
from tqdm import tqdm

from crm_chassis.config import load_config

CONFIG = Path(__file__).with_name("config.yml")
LOCAL_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def parse_time(raw: str, timezone: str) -> str | None:
    """ISO 8601 as is; the usual Russian spreadsheet formats in the company's time zone."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        for layout in LOCAL_FORMATS:
            try:
                moment = datetime.strptime(raw, layout)
                break
            except ValueError:
                continue
        else:
            return raw  # the service rejects it with the line number
    return (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))).isoformat()


def read_rows(path: Path, columns: dict[str, str], timezone: str) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        missing = [column for column in columns.values() if column not in (reader.fieldnames or [])]
        if missing:
            sys.exit(f"{path}: no column(s) {', '.join(missing)}")
        rows = []
        for line, record in enumerate(reader, start=2):  # line 1 is the header
            row = {field: (record[column] or "").strip() or None for field, column in columns.items()}
            if "created_at" in row:
                row["created_at"] = parse_time(row["created_at"] or "", timezone)
            rows.append({key: value for key, value in row.items() if value is not None} | {"line": line})
    return rows


def _rpc_config(args) -> dict:
    return load_config(args.config)


def import_leads() -> None:
    parser = argparse.ArgumentParser(prog="crm-import-leads", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--mapping", type=Path, required=True)
    parser.add_argument("--config", type=Path, default=CONFIG, help="leads config.yml (AMQP_URI)")
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--timezone", default="Europe/Moscow")
    args = parser.parse_args()
    mapping = yaml.safe_load(args.mapping.read_text(encoding="utf-8"))
    rows = read_rows(args.file, mapping["columns"], args.timezone)
    totals = {"imported": 0, "skipped": 0}
    rejected = []
    with ClusterRpcProxy(_rpc_config(args), timeout=600) as cluster, \
            tqdm(total=len(rows), unit="lead", file=sys.stderr) as progress:
        for start in range(0, len(rows), args.batch):
            batch = rows[start:start + args.batch]
            result = cluster.leads.import_leads(rows=batch, stages=mapping.get("stages", {}),
                                                legacy_stages=mapping.get("legacy_stages", []),
                                                batch_name=args.file.name)
            totals["imported"] += result["imported"]
            totals["skipped"] += result["skipped"]
            rejected += result["rejected"]
            progress.update(len(batch))
    for row in rejected:
        print(f"{args.file}:{row['line']}: rejected: {row['reason']}", file=sys.stderr)
    print(f"imported {totals['imported']}, already there {totals['skipped']}, rejected {len(rejected)}")
    sys.exit(1 if rejected else 0)


def migrate_stages() -> None:
    parser = argparse.ArgumentParser(prog="crm-migrate-stages", description=__doc__.splitlines()[0])
    parser.add_argument("--mapping", type=Path, required=True)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--batch", type=int, default=500, help="leads moved per batch")
    parser.add_argument("--batches", type=int, default=0, help="stop after this many batches (0: until done)")
    args = parser.parse_args()
    plan = yaml.safe_load(args.mapping.read_text(encoding="utf-8")).get("migrate", {})
    moved, refused, done = 0, [], 0
    with ClusterRpcProxy(_rpc_config(args), timeout=600) as cluster:
        while True:
            result = cluster.leads.migrate_stages(mapping=plan, batch_size=args.batch)
            moved += result["moved"]
            refused += result["refused"]
            done += 1
            print(f"batch {done}: moved {result['moved']}, refused {len(result['refused'])}, "
                  f"left {result['remaining']}", file=sys.stderr)
            if result["moved"] == 0 or result["remaining"] == 0 or done == args.batches:
                break
    for row in refused:
        print(f"lead {row['lead_id']}: refused: {row['reason']}", file=sys.stderr)
    print(f"moved {moved}, refused {len(refused)}, left {result['remaining']}")
