// A record's audit trail on its card, for those who may read it (admin, controller): who changed
// what, when, from what to what (GET /audit).
import { api, session } from "./api.js";
import { dateTime, h, table } from "./dom.js";
import { nameOf, staffNames } from "./directory.js";

export const AUDITORS = ["admin", "controller"];
const ACTOR_KIND = { rule: "правило", import: "импорт", system: "система", api_key: "ключ API" };

function who(actor, names) {
  if (!actor) return "—";
  if (actor.kind === "user") return nameOf(names, Number(actor.id));
  if (actor.kind === "rule") return `правило №${actor.rule_id} «${actor.label}»`;
  return `${ACTOR_KIND[actor.kind] || actor.kind}: ${actor.label}`;
}

const shown = (value) => (value === null || value === undefined ? "—"
  : typeof value === "object" ? JSON.stringify(value) : String(value));

function changed(changes) {
  return h("ul.changes", Object.entries(changes || {}).map(([field, change]) => h("li", h("strong", field), ": ",
    change && typeof change === "object" && "to" in change ? `${shown(change.from)} → ${shown(change.to)}` : shown(change))));
}

// The panel, or null for a role that may not read the audit.
export async function auditPanel(entity, id) {
  if (!AUDITORS.includes(session.user?.role)) return null;
  const [{ items }, names] = await Promise.all([api.get("/audit", { entity, id, limit: 200 }), staffNames()]);
  return h("section#audit.panel", h("h2", "Журнал изменений"), table([
    { label: "Когда", render: (e) => dateTime(e.at) },
    { label: "Кто", render: (e) => who(e.actor, names) },
    { label: "Что", render: (e) => `${e.entity} №${e.entity_id ?? "—"}: ${e.action}` },
    { label: "Было → стало", render: (e) => changed(e.changes) },
  ], items, { empty: "Изменений нет" }));
}
