"""Typed keys for what the app holds."""
from aiohttp import web

from crm_gateway.accounts import Accounts
from crm_gateway.live import LiveUpdates
from crm_gateway.rpc.nameko_amqp import NamekoRpcClient
from crm_gateway.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
RPC = web.AppKey("rpc", NamekoRpcClient)
ACCOUNTS = web.AppKey("accounts", Accounts)
LIVE = web.AppKey("live", LiveUpdates)
