// The live processing event stream. EventSource cannot send the API key, so each connection
// first trades the key for a short-lived stream token bound to the same filters, and passes
// that token (never the key) in the stream URL. The last event id is kept in localStorage:
// a reload, a dropped connection or the server ending the stream resumes from it, once an
// event has arrived (EventSource does not hand a page the id-only frame a stream opens with).

import { api, apiUrl, ApiError, describeError } from "./api.js";
import { timelineEntry, typeChips } from "./timeline.js";

const STREAM_PATH = "/api/v2/processing/events/stream";
const TOKEN_PATH = "/api/v2/processing/events/stream-tokens";
const LAST_ID = "vv.console.lastEventId";
const CURSOR_ERRORS = ["cursor_unknown", "cursor_expired"];
const STREAM_STATE = "vv.console.stream";
const MAX_LOG = 200;
const EVENT_TYPES = [
  "media.created",
  "media.processing.started",
  "media.processing.completed",
  "media.processing.failed",
  "prompt_run.started",
  "prompt_run.progress",
  "prompt_run.completed",
  "prompt_run.partial_completed",
  "prompt_run.failed",
  "prompt_run.cancelled",
  "segment.processing.completed",
  "segment.processing.failed",
  "media.preview.ready",
];
const STREAM_ERROR = "processing.stream_error";

export const streamMemory = {
  lastEventId: () => localStorage.getItem(LAST_ID) || "",
  setLastEventId: (id) => localStorage.setItem(LAST_ID, id),
  forgetLastEventId: () => localStorage.removeItem(LAST_ID),
  forget() {
    localStorage.removeItem(LAST_ID);
    localStorage.removeItem(STREAM_STATE);
  },
  saved() {
    try {
      return JSON.parse(localStorage.getItem(STREAM_STATE) || "null");
    } catch {
      return null;
    }
  },
  save: (filters) => localStorage.setItem(STREAM_STATE, JSON.stringify({ filters, active: true })),
  stopped: () => localStorage.removeItem(STREAM_STATE),
};

export function eventsPanel({ log, chips, stateLabel, lastIdLabel, onConnected, onState, onEvent, announce }) {
  const filter = typeChips(chips, log, [...EVENT_TYPES, STREAM_ERROR]);
  let source = null;
  let filters = null;
  let retryTimer = null;
  let retries = 0;

  const setState = (state) => {
    stateLabel.textContent = state;
    stateLabel.dataset.state = state;
    if (onState) onState(state);
  };
  const showLastId = () => {
    lastIdLabel.textContent = streamMemory.lastEventId() || "none";
  };

  function receive(type, message) {
    let data = {};
    try {
      data = JSON.parse(message.data);
    } catch {
      data = { payload: { raw: message.data } };
    }
    if (message.lastEventId) streamMemory.setLastEventId(message.lastEventId);
    showLastId();
    retries = 0;
    const entry = timelineEntry(type, data);
    log.prepend(entry);
    filter.added(entry);
    while (log.children.length > MAX_LOG) {
      filter.removed(log.lastElementChild);
      log.lastElementChild.remove();
    }
    if (onEvent) onEvent(type, data);
    if (type === STREAM_ERROR) {
      // The server ends the stream on purpose (e.g. before a platform time limit): resume.
      close();
      if (data.retryable !== false) schedule();
      else {
        // A cursor the server cannot resume from would fail every later connect the same
        // way: forget it, so the next one follows from now.
        if (CURSOR_ERRORS.includes(data.code)) streamMemory.forgetLastEventId();
        showLastId();
        setState("stopped");
        announce(`The stream ended: ${data.message || data.code}`, true);
      }
    }
  }

  function close() {
    if (source) source.close();
    source = null;
  }

  function schedule() {
    clearTimeout(retryTimer);
    setState("reconnecting");
    const delay = Math.min(15000, 500 * 2 ** Math.min(retries, 5));
    retries += 1;
    retryTimer = setTimeout(open, delay);
  }

  async function open() {
    close();
    setState("connecting");
    let token;
    try {
      token = await api("POST", TOKEN_PATH, { body: filters });
    } catch (error) {
      const fatal = error instanceof ApiError && [401, 403, 422].includes(error.status);
      announce(`Could not open the event stream: ${describeError(error)}`, true);
      if (fatal) {
        setState("stopped");
        streamMemory.stopped();
        onConnected(false);
      } else schedule();
      return;
    }
    const params = {
      [token.query_parameter || "stream_token"]: token.stream_token,
      run_id: filters.run_id,
      video_ids: (filters.video_ids || []).join(","),
      event_types: (filters.event_types || []).join(","),
      last_event_id: streamMemory.lastEventId(),
    };
    const opened = new EventSource(apiUrl(STREAM_PATH, params));
    source = opened;
    opened.onopen = () => {
      setState("connected");
      onConnected(true);
    };
    opened.onerror = () => {
      // The token in the URL is short-lived: never let EventSource retry with it; reconnect
      // with a fresh token (and the last event id) instead.
      if (source !== opened) return;
      close();
      schedule();
    };
    opened.onmessage = (message) => receive("message", message);
    for (const type of [...EVENT_TYPES, STREAM_ERROR]) {
      opened.addEventListener(type, (message) => receive(type, message));
    }
  }

  return {
    connect(wanted) {
      filters = wanted;
      retries = 0;
      streamMemory.save(wanted);
      open();
    },
    disconnect() {
      clearTimeout(retryTimer);
      close();
      streamMemory.stopped();
      setState("disconnected");
      onConnected(false);
    },
    resumeIfActive() {
      showLastId();
      const saved = streamMemory.saved();
      if (saved && saved.active && saved.filters) {
        this.connect(saved.filters);
        return saved.filters;
      }
      return null;
    },
    clear() {
      log.replaceChildren();
      filter.clear();
    },
  };
}
