"""Every endpoint of the gateway, by area; `ALL` is what the app mounts and documents."""
from crm_gateway.routes import (
    admin, audit, auth, clients, deals, departments, erasure, leads, notify, ops, reports, scheduling, search,
    system, telegram, users, webhooks,
)

ALL = [system.routes, auth.routes, users.routes, webhooks.routes, search.routes, leads.routes, clients.routes,
       erasure.routes, deals.routes, scheduling.routes, notify.routes, telegram.routes, reports.routes, admin.routes,
       ops.routes, audit.routes, departments.routes]
