// A move refused by a stage gate (422 with missing_fields) opens a small form with exactly the
// missing fields; submitting it repeats the move with those fields.
import { h } from "./dom.js";
import { dialog, filled, form } from "./forms.js";

export const CLIENT_TYPES = [["", "—"], ["private", "Частный"], ["business", "Бизнес"]];

const LEAD_FIELDS = {
  request_type: { label: "Тип заявки" },
  client_type: { label: "Тип клиента", type: "select", options: CLIENT_TYPES },
  company_name: { label: "Компания" },
  company_category: { label: "Категория компании", type: "select", options: [["", "—"], ["A", "A"], ["B", "B"], ["C", "C"]] },
};

const INPUT_TYPES = { number: "number", money: "number", date: "date", boolean: "checkbox", user: "number" };

// A deal pipeline's typed custom field as a form field (required where a gate asks for it).
export function pipelineField(definition, { required = true, value } = {}) {
  const field = { name: definition.code, label: definition.name || definition.code, required, value };
  if (definition.type === "list") {
    return { ...field, type: "select", options: [["", "—"], ...(definition.options || []).map((o) => [o, o])] };
  }
  return { ...field, type: INPUT_TYPES[definition.type] || "text", step: definition.type === "money" ? "0.01" : undefined };
}

export const leadField = (name) => ({ name, required: true, label: name, ...LEAD_FIELDS[name] });

// `move(fields)` performs the move; `describe(name)` turns a missing field's code into a form field.
export async function moveThroughGate({ title, move, describe }) {
  try {
    return await move({});
  } catch (error) {
    const missing = error.details?.missing_fields;
    const documents = error.details?.missing_documents || [];
    if (error.status !== 422 || !missing?.length) throw error;
    return new Promise((resolve) => {
      const note = documents.length ? h("p.alert.warn", `Также нужны документы: ${documents.join(", ")}`) : null;
      const box = dialog(title, h("div",
        h("p.muted", "Для перехода на этот этап заполните поля:"), note,
        form({
          fields: missing.map(describe),
          submit: "Заполнить и перевести",
          onSubmit: async (values) => {
            const moved = await move(filled(values));
            box.close();
            resolve(moved);
          },
        })));
      box.addEventListener("close", () => resolve(null));
    });
  }
}
