"""Typed keys for what the app holds."""
from aiohttp import web

from crm_gateway.accounts import Accounts
from crm_gateway.departments import Departments
from crm_gateway.live import LiveUpdates
from crm_gateway.queues import QueueSource
from crm_gateway.rates import CounterRates
from crm_gateway.rpc.nameko_amqp import NamekoRpcClient
from crm_gateway.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
RPC = web.AppKey("rpc", NamekoRpcClient)
ACCOUNTS = web.AppKey("accounts", Accounts)
DEPARTMENTS = web.AppKey("departments", Departments)
LIVE = web.AppKey("live", LiveUpdates)
QUEUES = web.AppKey("queues", QueueSource)
RATES = web.AppKey("rates", CounterRates)
KNOWN_QUEUES = web.AppKey("known_queues", dict)  # service -> the queue names it last reported
