// Staff names by id (GET /users/directory), read once per page load.
import { api } from "./api.js";

let users = null;

export async function staffNames() {
  if (!users) users = api.get("/users/directory").then((list) => new Map(list.map((u) => [u.id, u])));
  return users;
}

export const nameOf = (names, id) => (id ? names.get(id)?.full_name || `№${id}` : "—");
