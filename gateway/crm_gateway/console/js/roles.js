// Who sees which page; the API checks the same roles on every request.
export const ROLE_NAMES = {
  admin: "Администратор", head_of_sales: "Руководитель продаж", manager: "Менеджер",
  operator: "Оператор", controller: "Контролёр", crew_member: "Бригада",
};

const STAFF = ["admin", "head_of_sales", "manager", "operator", "controller"];
const SALES = ["admin", "head_of_sales", "manager"];
const DEAL_READERS = [...SALES, "controller"];  // a controller reads deals and asks questions on them

// [hash prefix, module, menu label, roles]
export const PAGES = [
  ["inbox", "inbox", "Входящие", STAFF],
  ["clients", "client", "Клиенты", STAFF],
  ["booking", "booking", "Запись на замер", ["admin", "head_of_sales", "manager", "operator"]],
  ["deals", "kanban", "Сделки", DEAL_READERS],
  ["deal", "deal", null, DEAL_READERS],
  ["problems", "problems", "Проблемные заказы", SALES],
  ["jobs", "jobs", "Мои выезды", ["crew_member"]],
  ["calendar", "calendar", "Календарь", [...STAFF, "crew_member"]],
  ["reports", "reports", "Отчёты", DEAL_READERS],
  ["ops", "ops", "Мониторинг", ["admin"]],
];

export const HOME = {
  admin: "ops", head_of_sales: "deals", manager: "deals", operator: "inbox", controller: "reports",
  crew_member: "jobs",
};

export const allowed = (page, role) => page[3].includes(role);
