// «Запись на замер»: free slots of measurers/installers, a hold while the client is on the phone,
// then the booking with the address and the client's contacts.
import { api } from "../api.js";
import { day, h, isoDay, mount, time, toast } from "../dom.js";
import { filled, form } from "../forms.js";

function countdown(expiresAt, onExpired) {
  const el = h("strong.countdown");
  let shown = false;
  const tick = () => {
    const left = Math.max(0, Math.round((new Date(expiresAt) - Date.now()) / 1000));
    el.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    shown ||= el.isConnected;
    if (shown && !el.isConnected) clearInterval(timer);  // booked, released or left the page
    else if (left === 0) { clearInterval(timer); onExpired(); }
  };
  const timer = setInterval(tick, 1000);
  tick();
  return el;
}

async function prefill(query) {
  const known = { deal_id: query.deal || null, address: query.address, client_name: query.name, client_phone: query.phone };
  if (query.contact) {
    const client = await api.get(`/clients/${query.contact}`, { limit: 1 });
    known.client_name ||= client.name;
    known.client_phone ||= client.phone;
  }
  if (query.deal) {
    const deal = await api.get(`/deals/${query.deal}`);
    known.address ||= deal.fields?.address;
  }
  return known;
}

export async function render(root, params, query) {
  const crews = await api.get("/crews");
  const skills = [...new Set(crews.map((c) => c.skill))].sort();
  const zones = [...new Set(crews.flatMap((c) => c.zones || []))].sort();
  const known = await prefill(query);
  const results = h("div");
  const holdBox = h("div");

  const showHold = (hold, slot) => {
    const release = async () => {
      try { await api.post(`/holds/${hold.id}/release`); } catch { /* it expires by itself */ }
      mount(holdBox);
    };
    mount(holdBox, h("section.panel.hold",
      h("h2", `Удержано: ${slot.crew_name}, ${day(slot.starts_at)} ${time(slot.starts_at)}–${time(slot.ends_at)}`),
      h("p", "Слот держится за вами ещё ", countdown(hold.expires_at, () => {
        mount(holdBox, h("p.alert.warn", "Время удержания истекло — выберите слот снова."));
      })),
      form({
        draftKey: "booking",
        submit: "Записать",
        fields: [
          { name: "address", label: "Адрес", required: true, value: known.address },
          { name: "client_name", label: "Имя клиента", value: known.client_name },
          { name: "client_phone", label: "Телефон клиента", type: "tel", value: known.client_phone },
          { name: "deal_id", label: "Сделка №", type: "number", value: known.deal_id },
        ],
        onSubmit: async (values) => {
          const booking = await api.post(`/holds/${hold.id}/book`, filled(values));
          mount(holdBox, h("p.alert.ok", `Записано: ${slot.crew_name}, ${day(booking.starts_at)} ${time(booking.starts_at)}, ${booking.address}`));
          toast("Замер записан", "ok");
          mount(results);
        },
      }),
      h("button.danger", { type: "button", on: { click: release } }, "Отпустить слот")));
  };

  const hold = async (slot) => {
    try {
      const held = await api.post("/holds", { crew_id: slot.crew_id, starts_at: slot.starts_at, ends_at: slot.ends_at, minutes: 5 });
      showHold(held, slot);
    } catch (error) {
      toast(error.status === 409 ? "Слот только что заняли — выберите другой" : error.message, "error");
    }
  };

  const searchForm = form({
    className: "inline",
    submit: "Найти свободные слоты",
    fields: [
      { name: "skill", label: "Специалист", type: "select", required: true, value: query.skill || skills[0],
        options: skills.map((s) => [s, s]) },
      { name: "zone", label: "Зона", type: "select", value: query.zone, options: [["", "Любая"], ...zones.map((z) => [z, z])] },
      { name: "duration_minutes", label: "Длительность, мин", type: "number", required: true, value: 60, min: 15 },
      { name: "date_from", label: "С", type: "date", required: true, value: isoDay(0) },
      { name: "date_to", label: "По", type: "date", required: true, value: isoDay(7) },
    ],
    onSubmit: async (values) => {
      const slots = await api.get("/slots", { ...filled(values), limit: 12 });
      mount(results, slots.length ? h("div.slots", slots.map((slot) => h("button.slot", { type: "button",
        on: { click: () => hold(slot) } }, `${day(slot.starts_at)} ${time(slot.starts_at)}–${time(slot.ends_at)} · ${slot.crew_name}`)))
        : h("p.empty", "Свободных слотов нет — расширьте даты или зону"));
    },
  });
  mount(root, h("h1", "Запись на замер / монтаж"),
    known.deal_id ? h("p.muted", `Для сделки №${known.deal_id}`) : null,
    h("section.panel", searchForm, results), holdBox);
}
