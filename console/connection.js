// The connection panel and the header's status pills. With a key the panel folds away behind
// the header's "Connection" button (a disclosure: aria-expanded on the button, the panel
// hidden); without one it stays open, since nothing else works yet.

import { settings } from "./api.js";

const $ = (id) => document.getElementById(id);

export function connectionPanel() {
  const panel = $("connection");
  const toggle = $("connection-toggle");

  function setOpen(open) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  }

  function showKeyState() {
    const key = settings.apiKey();
    const kept = settings.remembered() ? "on this device" : "for this tab";
    $("key-state").textContent = key
      ? `Using a key ending in …${key.slice(-4)}, kept ${kept}.`
      : "No key yet.";
    $("api-key").value = "";
    $("api-key").required = !key;
    $("remember").checked = settings.remembered();
    $("connection-text").textContent = key ? `Key …${key.slice(-4)}` : "No key";
    $("connection-status").dataset.state = key ? "key" : "none";
    toggle.disabled = !key; // with no key there is nothing to fold the panel away for
  }

  toggle.addEventListener("click", () => {
    const open = panel.hidden;
    setOpen(open);
    if (open) $("base-url").focus();
  });

  return {
    showKeyState,
    /** After a key is set: fold the panel away; without one: open it on the key field. */
    settle({ focus = false } = {}) {
      showKeyState();
      const hasKey = Boolean(settings.apiKey());
      setOpen(!hasKey);
      if (focus) (hasKey ? toggle : $("api-key")).focus();
    },
  };
}

/** The header's pill for the event stream: its state in words, colour only as a second cue. */
export function showStreamState(state) {
  const words = {
    connected: "Events live",
    connecting: "Events connecting",
    reconnecting: "Events reconnecting",
    stopped: "Events stopped",
    disconnected: "Events off",
  };
  $("stream-text").textContent = words[state] || `Events ${state}`;
  $("stream-status").dataset.state = state;
}
