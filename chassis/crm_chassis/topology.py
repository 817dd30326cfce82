"""Declare every service's event exchanges and handler queues before any service starts.

An event published to an exchange with no queue bound yet is dropped by RabbitMQ; declaring
the whole topology at deploy time (like migrations) closes that window.

    crm-declare-topology CONFIG crm_leads.service:LeadsService [...]
"""
import argparse
import importlib

from kombu import Connection
from nameko.containers import ServiceContainer
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcConsumer

from crm_chassis.config import load_config


def declare(amqp_uri: str, service_classes: list[type], config: dict) -> list[str]:
    declared = []
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        for service_cls in service_classes:
            container = ServiceContainer(service_cls, {**config, "AMQP_URI": amqp_uri})
            for extension in container.entrypoints:
                if isinstance(extension, EventHandler):
                    extension.setup()
                    extension.queue.exchange(channel).declare()
                    extension.queue(channel).declare()
                    declared.append(extension.queue.name)
    return declared


class OwnQueues(DependencyProvider):
    """The queues this service consumes from, as nameko named them at setup: `rpc-<service>`
    and one `evt-<source>-<event type>--<service>.<handler>` per event handler."""

    def get_dependency(self, worker_ctx) -> list[str]:
        return sorted(extension.queue.name for extension in self.container.extensions
                      if isinstance(extension, (RpcConsumer, EventHandler)))


def load_class(path: str) -> type:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", help="a service config.yml giving AMQP_URI")
    parser.add_argument("services", nargs="+", help="module:Class of each service")
    args = parser.parse_args()
    config = load_config(args.config)
    queues = declare(config["AMQP_URI"], [load_class(s) for s in args.services], config)
    print(f"declared {len(queues)} event queues")
