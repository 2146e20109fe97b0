// The events timeline: one entry per event, newest first, coloured by what kind of thing
// happened (created, started, progress, completed, failed …) and always labelled with the
// event type in words, so colour is never the only cue; and a toggle chip per event type
// seen, which hides or shows that type's entries (a view filter: the stream is unchanged).

import { el } from "./dom.js";

/** The colour family of an event type: its last word, with the few special cases named. */
export function kindOf(type) {
  if (type === "processing.stream_error") return "failed";
  if (type === "media.preview.ready") return "ready";
  const last = type.split(".").pop();
  if (last === "partial_completed") return "partial";
  return ["created", "started", "progress", "completed", "failed", "cancelled"].includes(last)
    ? last
    : "other";
}

/** The payload folded to one line; opened, pretty-printed. */
function payloadOf(payload) {
  return el(
    "details",
    { className: "payload" },
    el("summary", {}, el("code", {}, JSON.stringify(payload))),
    el("pre", {}, el("code", {}, JSON.stringify(payload, null, 2))),
  );
}

export function timelineEntry(type, data) {
  const summary = [data.video_id, data.run_id, data.segment_id].filter(Boolean).join(" · ");
  const at = data.created_at ? new Date(data.created_at) : null;
  const valid = at && !Number.isNaN(at.getTime());
  return el(
    "li",
    { className: "event", dataset: { eventType: type, eventId: data.event_id || "", kind: kindOf(type) } },
    el("span", { className: "event-dot", "aria-hidden": "true" }),
    el(
      "div",
      { className: "event-body" },
      el(
        "p",
        { className: "event-head" },
        el("span", { className: "event-type" }, type),
        valid ? el("time", { className: "meta", dateTime: at.toISOString() }, at.toLocaleTimeString()) : null,
      ),
      summary ? el("p", { className: "meta mono event-ids" }, summary) : null,
      data.payload && Object.keys(data.payload).length ? payloadOf(data.payload) : null,
    ),
  );
}

/** Toggle chips over a timeline list; `order` ranks the known types. */
export function typeChips(container, list, order) {
  const hidden = new Set();
  const counts = new Map();
  const chips = new Map();
  const rank = (type) => (order.includes(type) ? order.indexOf(type) : order.length);

  function apply(entry) {
    entry.hidden = hidden.has(entry.dataset.eventType);
  }

  function chipFor(type) {
    let chip = chips.get(type);
    if (chip) return chip;
    chip = el(
      "button",
      { type: "button", className: "chip", "aria-pressed": "true", dataset: { eventType: type, kind: kindOf(type) } },
      el("span", { className: "swatch", "aria-hidden": "true" }),
      el("span", { className: "chip-label" }, type),
      el("span", { className: "chip-count" }),
    );
    chip.addEventListener("click", () => {
      const shown = hidden.has(type);
      if (shown) hidden.delete(type);
      else hidden.add(type);
      chip.setAttribute("aria-pressed", String(shown));
      for (const entry of list.children) apply(entry);
    });
    chips.set(type, chip);
    const after = [...chips.keys()].filter((t) => t !== type && rank(t) > rank(type));
    const before = after.length ? chips.get(after.sort((a, b) => rank(a) - rank(b))[0]) : null;
    container.insertBefore(chip, before);
    return chip;
  }

  function count(type, delta) {
    const total = (counts.get(type) || 0) + delta;
    counts.set(type, total);
    const chip = chipFor(type);
    chip.querySelector(".chip-count").textContent = String(total);
  }

  return {
    /** A new entry went into the list: count it, and hide it if its type is filtered out. */
    added(entry) {
      count(entry.dataset.eventType, 1);
      apply(entry);
    },
    removed(entry) {
      count(entry.dataset.eventType, -1);
    },
    clear() {
      counts.clear();
      chips.clear();
      hidden.clear();
      container.replaceChildren();
    },
  };
}
