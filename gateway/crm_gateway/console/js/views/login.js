import { api, session } from "../api.js";
import { h, mount } from "../dom.js";
import { form } from "../forms.js";
import { HOME } from "../roles.js";

export function render(root, query) {
  const notice = query.expired ? h("div.alert.warn", "Сессия истекла. Войдите снова — введённые данные сохранены.") : null;
  mount(root, h("section.login",
    h("h1", "Вход в CRM"), notice,
    form({
      submit: "Войти",
      fields: [
        { name: "login", label: "Логин", required: true },
        { name: "password", label: "Пароль", type: "password", required: true },
      ],
      onSubmit: async (values) => {
        const answer = await api.post("/auth/login", { login: values.login || "", password: values.password || "" });
        session.start(answer.token, answer.user);
        window.dispatchEvent(new Event("crm:login"));
        location.hash = query.next || `#/${HOME[answer.user.role] || "inbox"}`;
      },
    })));
}
