// The live stream of GET /notifications/live, read with fetch so the bearer token travels in a
// header (EventSource cannot send one). Each server event becomes a window event `crm:<type>`.
import { request } from "./api.js";

let controller = null;

function dispatch(block) {
  let type = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) type = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (!data.length) return;  // a heartbeat comment
  try {
    window.dispatchEvent(new CustomEvent(`crm:${type}`, { detail: JSON.parse(data.join("\n")) }));
  } catch { /* an unreadable event is skipped */ }
}

async function listen(signal) {
  const response = await request("GET", "/notifications/live", { raw: true });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  signal.addEventListener("abort", () => reader.cancel());
  window.dispatchEvent(new CustomEvent("crm:live", { detail: { connected: true } }));
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
  }
}

export function startLive() {
  stopLive();
  controller = new AbortController();
  const { signal } = controller;
  (async () => {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        await listen(signal);
        delay = 1000;
      } catch (error) {
        if (error.expired || signal.aborted) return;
      }
      window.dispatchEvent(new CustomEvent("crm:live", { detail: { connected: false } }));
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 30000);
    }
  })();
}

export function stopLive() {
  if (controller) controller.abort();
  controller = null;
}
