"""Every endpoint of the gateway, by area; `ALL` is what the app mounts and documents."""
from crm_gateway.routes import admin, auth, clients, deals, leads, notify, reports, scheduling, system, webhooks

ALL = [system.routes, auth.routes, webhooks.routes, leads.routes, clients.routes, deals.routes,
       scheduling.routes, notify.routes, reports.routes, admin.routes]
