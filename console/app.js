// Wires the console's forms to its panels. No framework, no build step.

import { describeError, settings } from "./api.js";
import { connectionPanel, showStreamState } from "./connection.js";
import { el, splitList } from "./dom.js";
import { eventsPanel, streamMemory } from "./events.js";
import { mediaPanel } from "./media.js";
import { conditionFrom, searchPanel } from "./search.js";
import { tabs } from "./tabs.js";

const $ = (id) => document.getElementById(id);

// What a media's status is after each of these events (the card's badge follows the stream).
const MEDIA_STATUS_AFTER = {
  "media.processing.started": "processing",
  "media.processing.completed": "processed",
  "media.processing.failed": "failed",
};

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

function start() {
  $("base-url").value = settings.baseUrl();
  const connection = connectionPanel();
  connection.settle();

  const media = mediaPanel({
    list: $("media-list"),
    loadButton: $("load-media"),
    moreButton: $("more-media"),
    announce,
  });
  const search = searchPanel({ list: $("results"), announce });
  // Events that arrive while another tab is shown: counted on the Events tab until seen.
  let unseen = 0;
  const showUnseen = () => {
    $("events-unseen").replaceChildren(
      String(unseen),
      el("span", { className: "visually-hidden" }, " new"),
    );
    $("events-unseen").hidden = !unseen;
  };
  const events = eventsPanel({
    log: $("event-log"),
    chips: $("event-chips"),
    stateLabel: $("events-state"),
    lastIdLabel: $("events-last-id"),
    announce,
    onConnected(connected) {
      $("events-disconnect").disabled = !connected;
    },
    onState: showStreamState,
    onEvent(type, data) {
      const status = MEDIA_STATUS_AFTER[type];
      if (status && data.video_id) media.setStatus(data.video_id, status);
      if (sections.selected() === "events") return;
      unseen += 1;
      showUnseen();
    },
  });
  // The media tab fills itself the first time it is shown with a key.
  let mediaLoaded = false;
  const fillMedia = () => {
    if (mediaLoaded || !settings.apiKey()) return;
    mediaLoaded = true;
    media.load(true).catch((error) => {
      mediaLoaded = false;
      announce(error, true);
    });
  };
  const sections = tabs(document.querySelector('[role="tablist"]'), {
    onSelect(id) {
      if (id === "events") {
        unseen = 0;
        showUnseen();
      }
      if (id === "media") fillMedia();
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
      connection.settle({ focus: true });
      announce("Key saved in this browser.");
      mediaLoaded = false;
      if (sections.selected() === "media") fillMedia();
    }),
  );
  $("forget-key").addEventListener("click", () => {
    settings.forgetApiKey();
    events.disconnect();
    streamMemory.forget();
    // What the key showed is not for whoever uses the page next.
    $("media-list").replaceChildren();
    $("results").replaceChildren();
    events.clear();
    mediaLoaded = false;
    connection.settle({ focus: true });
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
      // Filters in effect are shown, not left folded away.
      document.querySelector(".stream-filters").open = Boolean(
        resumed.run_id || resumed.video_ids?.length || resumed.event_types?.length,
      );
    }
  }
  document.body.dataset.ready = "true";
}

start();
