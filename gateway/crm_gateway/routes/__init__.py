"""Every endpoint of the gateway, by area; `ALL` is what the app mounts and documents."""
from crm_gateway.routes import (
    admin, auth, clients, deals, leads, notify, ops, reports, scheduling, system, telegram, users, webhooks,
)

ALL = [system.routes, auth.routes, users.routes, webhooks.routes, leads.routes, clients.routes, deals.routes,
       scheduling.routes, notify.routes, telegram.routes, reports.routes, admin.routes,
       ops.routes]
