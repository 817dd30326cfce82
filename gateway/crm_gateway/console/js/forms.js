// Forms that show the server's field-level errors next to their fields and keep what was typed
// (a draft in sessionStorage) until the server accepted it — across an expired session too.
import { h } from "./dom.js";

const DRAFTS = "crm.draft.";

function input(field, value) {
  const common = { id: `f-${field.name}`, name: field.name, required: field.required,
                   "aria-describedby": `e-${field.name}`, placeholder: field.placeholder };
  if (field.type === "select") {
    return h("select", common, (field.options || []).map(([v, label]) =>
      h("option", { value: v, selected: String(v) === String(value ?? "") }, label)));
  }
  if (field.type === "textarea") return h("textarea", { ...common, rows: 3 }, value ?? "");
  if (field.type === "checkbox") return h("input", { ...common, type: "checkbox", checked: Boolean(value) });
  if (field.type === "file") return h("input", { ...common, type: "file" });
  return h("input", { ...common, type: field.type || "text", value: value ?? "", step: field.step,
                      min: field.min, max: field.max });
}

function readValue(el, field) {
  if (field.type === "checkbox") return el.checked;
  if (field.type === "file") return el.files[0] || null;
  const text = el.value.trim();
  if (text === "") return null;
  if (field.type === "number") return Number(text);
  return text;
}

// Field errors come as {field: ["message"]}, {field: "message"}, nested under a key such as
// `fields`, or as a gate's {missing_fields: [...]}: all are shown next to the named field.
function fieldErrors(details = {}) {
  const errors = {};
  const add = (name, message) => { (errors[name] ||= []).push(message); };
  for (const name of details.missing_fields || []) add(name, "Обязательно для этого этапа");
  for (const kind of details.missing_documents || []) add(`document:${kind}`, "Нужен документ");
  const walk = (obj, prefix = "") => {
    for (const [key, value] of Object.entries(obj)) {
      if (["missing_fields", "missing_documents"].includes(key)) continue;
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) value.forEach((m) => add(key, m));
      else if (typeof value === "string") add(key, value);
      else if (value && typeof value === "object" && !Array.isArray(value)) walk(value, key);
    }
  };
  walk(details);
  return errors;
}

export function form({ fields, submit = "Сохранить", draftKey, onSubmit, className = "", extra }) {
  const draft = draftKey ? JSON.parse(sessionStorage.getItem(DRAFTS + draftKey) || "{}") : {};
  const general = h("div.alert.error", { role: "alert", hidden: true });
  const rows = fields.map((field) => {
    const el = input(field, draft[field.name] ?? field.value);
    const error = h("div.field-error", { id: `e-${field.name}`, dataset: { field: field.name } });
    const label = h("label", { for: el.id }, field.label, field.required ? h("span.req", " *") : null);
    return { field, el, error, row: h(`div.field${field.type === "checkbox" ? ".check" : ""}`, label, el, field.hint ? h("small", field.hint) : null, error) };
  });
  const button = h("button.primary", { type: "submit" }, submit);
  const root = h(`form.form${className ? "." + className : ""}`, { novalidate: true }, general,
    rows.map((r) => r.row), extra, h("div.actions", button));

  const values = () => Object.fromEntries(rows.map(({ field, el }) => [field.name, readValue(el, field)]));
  const saveDraft = () => {
    if (!draftKey) return;
    const kept = Object.fromEntries(rows.filter((r) => r.field.type !== "file" && r.field.type !== "password")
      .map(({ field, el }) => [field.name, field.type === "checkbox" ? el.checked : el.value]));
    sessionStorage.setItem(DRAFTS + draftKey, JSON.stringify(kept));
  };
  root.addEventListener("input", saveDraft);

  const showErrors = (error) => {
    const byField = fieldErrors(error.details);
    let unplaced = [];
    for (const { field, error: box, el } of rows) {
      const messages = byField[field.name] || [];
      box.textContent = messages.join("; ");
      el.classList.toggle("invalid", messages.length > 0);
      el.setAttribute("aria-invalid", messages.length > 0 ? "true" : "false");
      delete byField[field.name];
    }
    unplaced = Object.entries(byField).map(([name, messages]) => `${name}: ${messages.join("; ")}`);
    general.textContent = [error.message, ...unplaced].filter(Boolean).join(" — ");
    general.hidden = false;
  };

  root.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    general.hidden = true;
    rows.forEach(({ error, el }) => { error.textContent = ""; el.classList.remove("invalid"); });
    try {
      await onSubmit(values(), root);
      if (draftKey) sessionStorage.removeItem(DRAFTS + draftKey);
    } catch (error) {
      saveDraft();
      if (error.expired) return;
      showErrors(error);
    } finally {
      button.disabled = false;
    }
  });
  root.showErrors = showErrors;
  root.values = values;
  return root;
}

// Values without the empty ones: optional fields left blank are not sent at all.
export function filled(values) {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== ""));
}

export function dialog(title, content) {
  const box = h("dialog.modal", h("header", h("h2", title),
    h("button.icon", { type: "button", "aria-label": "Закрыть", on: { click: () => box.close() } }, "×")), content);
  box.addEventListener("close", () => box.remove());
  document.body.append(box);
  box.showModal();
  return box;
}
