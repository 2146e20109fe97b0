// Wires the console's forms to its panels. No framework, no build step.

import { describeError, settings } from "./api.js";
import { splitList } from "./dom.js";
import { eventsPanel, streamMemory } from "./events.js";
import { mediaPanel } from "./media.js";
import { conditionFrom, searchPanel } from "./search.js";

const $ = (id) => document.getElementById(id);

function announce(message, isError = false) {
  const status = $("status");
  status.textContent = message instanceof Error ? describeError(message) : message;
  status.classList.toggle("error", Boolean(isError || message instanceof Error));
}

/** Run an async action from a form or button; errors go to the status line. */
function guarded(action) {
  return async (event) => {
    if (event && event.type === "submit") event.preventDefault();
    try {
      await action(event);
    } catch (error) {
      announce(error, true);
    }
  };
}

function showKeyState() {
  const key = settings.apiKey();
  $("key-state").textContent = key
    ? `Using a key ending in …${key.slice(-4)}, kept ${settings.remembered() ? "on this device" : "for this tab"}.`
    : "No key yet.";
  $("api-key").value = "";
  $("api-key").required = !key;
  $("remember").checked = settings.remembered();
}

function start() {
  $("base-url").value = settings.baseUrl();
  showKeyState();

  const media = mediaPanel({
    list: $("media-list"),
    loadButton: $("load-media"),
    moreButton: $("more-media"),
    announce,
  });
  const search = searchPanel({ list: $("results"), announce });
  const events = eventsPanel({
    log: $("event-log"),
    stateLabel: $("events-state"),
    lastIdLabel: $("events-last-id"),
    announce,
    onConnected(connected) {
      $("events-disconnect").disabled = !connected;
    },
  });

  $("key-form").addEventListener(
    "submit",
    guarded(() => {
      settings.setBaseUrl($("base-url").value);
      const key = $("api-key").value.trim();
      if (key) {
        if (key !== settings.apiKey()) streamMemory.forget(); // another user's cursor is meaningless
        settings.setApiKey(key, $("remember").checked);
      }
      showKeyState();
      announce("Key saved in this browser.");
    }),
  );
  $("forget-key").addEventListener("click", () => {
    settings.forgetApiKey();
    events.disconnect();
    streamMemory.forget();
    showKeyState();
    announce("Key forgotten.");
  });

  $("load-media").addEventListener("click", guarded(() => media.load(true)));
  $("more-media").addEventListener("click", guarded(() => media.load(false)));

  $("search-form").addEventListener(
    "submit",
    guarded(() =>
      search.search($("query").value, Number($("top-k").value), $("search-run-id").value.trim()),
    ),
  );
  $("filter-form").addEventListener(
    "submit",
    guarded(() =>
      search.filter(
        conditionFrom(
          $("filter-field").value.trim(),
          $("filter-operator").value,
          $("filter-type").value,
          $("filter-value").value,
        ),
      ),
    ),
  );

  $("events-form").addEventListener(
    "submit",
    guarded(() => {
      const filters = {};
      const runId = $("events-run-id").value.trim();
      if (runId) filters.run_id = runId;
      const videoIds = splitList($("events-video-ids").value);
      if (videoIds.length) filters.video_ids = videoIds;
      const types = splitList($("events-types").value);
      if (types.length) filters.event_types = types;
      events.connect(filters);
    }),
  );
  $("events-disconnect").addEventListener("click", () => events.disconnect());
  $("events-clear").addEventListener("click", () => events.clear());

  // After a reload: pick the stream up where it was, from the last event id seen.
  if (settings.apiKey()) {
    const resumed = events.resumeIfActive();
    if (resumed) {
      $("events-run-id").value = resumed.run_id || "";
      $("events-video-ids").value = (resumed.video_ids || []).join(", ");
      $("events-types").value = (resumed.event_types || []).join(", ");
    }
  }
  document.body.dataset.ready = "true";
}

start();
