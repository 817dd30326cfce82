"""List and replay a service's parked events.

    crm-parked CONFIG list SERVICE
    crm-parked CONFIG replay SERVICE ID
"""
import argparse
import json

from nameko.standalone.rpc import ClusterRpcProxy

from crm_chassis.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="any service config.yml giving AMQP_URI")
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("service")
    parser.add_argument("parked_id", nargs="?", type=int)
    args = parser.parse_args()
    config = load_config(args.config)
    with ClusterRpcProxy(config, timeout=30) as cluster:
        service = getattr(cluster, args.service)
        if args.action == "list":
            result = service.parked_events()
        else:
            if args.parked_id is None:
                parser.error("replay needs the parked event's ID")
            result = service.replay_parked(parked_id=args.parked_id)
    print(json.dumps(result, ensure_ascii=False, indent=2))
