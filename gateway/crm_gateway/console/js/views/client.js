// «Клиенты»: search, and the client card — the whole multichannel history, open leads, open
// deals with their bookings — everything an operator needs while the client is on the phone;
// for admin and controller the audit trail of the contact.
import { api } from "../api.js";
import { auditPanel } from "../audit.js";
import { dateTime, h, mount, money, table } from "../dom.js";
import { CATEGORY_NAMES, CHANNEL_NAMES, STATUS_NAMES, newLeadDialog } from "./inbox.js";

async function search(root, query) {
  const box = h("div");
  const input = h("input", { type: "search", name: "q", value: query.q || "", placeholder: "Имя, телефон или e-mail",
                             "aria-label": "Поиск клиента" });
  mount(root, h("h1", "Клиенты"),
    h("form.toolbar", { on: { submit: (e) => { e.preventDefault(); location.hash = `#/clients?q=${encodeURIComponent(input.value)}`; } } },
      input, h("button.primary", { type: "submit" }, "Найти")), box);
  const found = await api.get("/contacts", { q: query.q, limit: 50 });
  mount(box, table([
    { label: "Клиент", render: (c) => h("a", { href: `#/clients/${c.id}` }, c.name || `№${c.id}`) },
    { label: "Телефон", render: (c) => c.phone || c.phone_unparsed || "—" },
    { label: "E-mail", render: (c) => c.email || "—" },
    { label: "Компания", render: (c) => c.company ? `${c.company.name} (${c.company.category})` : "—" },
  ], found.items, { empty: "Никого не найдено" }));
}

function historyItem(c) {
  const channel = CHANNEL_NAMES[c.channel] || c.channel;
  return h("li",
    h("strong", `${dateTime(c.occurred_at)} · ${channel} ${c.direction === "out" ? "→" : "←"}`), " ",
    h("span.tag", CATEGORY_NAMES[c.category] || c.category || ""), " ",
    h("span.muted", [STATUS_NAMES[c.status] || c.status, c.duration_seconds ? `${c.duration_seconds} с` : null].filter(Boolean).join(", ")),
    c.subject ? h("div", c.subject) : null,
    c.body ? h("div", c.body) : null,
    c.recording_url ? h("a", { href: c.recording_url, target: "_blank", rel: "noopener" }, "Запись разговора") : null,
    c.deal_id ? h("div", h("a", { href: `#/deal/${c.deal_id}` }, `Сделка №${c.deal_id}`)) : null);
}

async function card(root, contactId) {
  const [client, audit] = await Promise.all([api.get(`/clients/${contactId}`, { limit: 100 }),
    auditPanel("contact", contactId)]);
  const deals = await api.get("/deals", { contact_id: client.id, open_only: true, limit: 50 });
  const bookings = (await Promise.all(deals.items.map((d) => api.get("/bookings", { deal_id: d.id })))).flat()
    .filter((b) => b.status !== "cancelled");
  const identities = client.identities.map((i) => `${i.kind}: ${i.value}`).join(", ");
  const bookLink = (deal) => `#/booking?deal=${deal?.id || ""}&contact=${client.id}`;
  mount(root,
    h("h1", client.name || `Клиент №${client.id}`),
    client.redirected_from ? h("p.alert.warn", `Клиент №${client.redirected_from} объединён с этим`) : null,
    h("div.toolbar",
      h("button.primary", { type: "button", on: { click: () => newLeadDialog({ name: client.name, phone: client.phone,
        email: client.email }) } }, "Создать заявку"),
      h("a", { href: bookLink(deals.items[0]) }, h("button", { type: "button" }, "Записать на замер"))),
    h("div.columns",
      h("section.panel",
        h("h2", "Контакты"),
        h("p", "Телефон: ", client.phone || client.phone_unparsed || "—", client.phone_flagged ? h("span.tag.warn", " не распознан") : null),
        h("p", "E-mail: ", client.email || "—"),
        h("p.muted", identities),
        h("p", "Компания: ", client.company ? `${client.company.name}, категория ${client.company.category}` : "—"),
        h("h2", "Заявки в работе"),
        client.open_leads.length ? h("ul", client.open_leads.map((l) => h("li", `№${l.id} ${l.title || ""} — ${l.stage_name}`)))
          : h("p.empty", "Нет"),
        h("h2", "Открытые сделки"),
        deals.items.length ? h("ul", deals.items.map((d) => h("li", h("a", { href: `#/deal/${d.id}` }, `№${d.id} ${d.title}`),
          ` — ${d.stage_name || d.stage}, ${money(d.amount, d.currency)}`))) : h("p.empty", "Нет"),
        h("h2", "Выезды"),
        table([
          { label: "Когда", render: (b) => dateTime(b.starts_at) },
          { label: "Адрес", key: "address" },
          { label: "Сделка", render: (b) => b.deal_id ? h("a", { href: `#/deal/${b.deal_id}` }, `№${b.deal_id}`) : "—" },
          { label: "Статус", key: "status" },
        ], bookings, { empty: "Выездов нет" })),
      h("section.panel",
        h("h2", `История (${client.history.total})`),
        client.history.items.length ? h("ul.history", client.history.items.map(historyItem)) : h("p.empty", "Обращений нет")),
      audit));
}

export async function render(root, params, query) {
  if (params[0]) return card(root, Number(params[0]));
  return search(root, query);
}
