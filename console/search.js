// Playground and filter searches: ranked segments with thumbnails, and a marker per result.

import { api, safeImageUrl } from "./api.js";
import { clockTime, el, formatClock } from "./dom.js";
import { playOnHover, showStill } from "./media.js";

const COLORS = ["red", "orange", "yellow", "green", "blue", "purple"];

function thumbnailOf(result) {
  return safeImageUrl(
    result.thumbnail_uri || result.preview_thumbnail_uri || result.thumbnail_data,
  );
}

function gifOf(result) {
  return safeImageUrl(result.gif_uri || result.preview_gif_uri || result.gif_data);
}

function markerControls(result, announce) {
  const segmentId = result.segment_id || result.result_id;
  const label = `segment ${segmentId}`;
  let marker = result.marker && result.marker.marker_id ? result.marker : null;
  const state = el("span", { className: "marker-state" });
  const color = el(
    "select",
    { "aria-label": `Marker color for ${label}` },
    COLORS.map((name) => el("option", { value: name }, name)),
  );
  const note = el("input", {
    type: "text",
    maxLength: 2000,
    placeholder: "Note",
    "aria-label": `Marker note for ${label}`,
  });
  const set = el("button", { type: "button" }, "Set marker");
  const clear = el("button", { type: "button", className: "secondary" }, "Clear marker");

  const render = () => {
    clear.disabled = !marker;
    state.textContent = marker ? `Marked ${marker.color || ""}${marker.note ? `: ${marker.note}` : ""}` : "No marker";
    state.dataset.marked = marker ? "true" : "false";
    if (marker && marker.color && COLORS.includes(marker.color)) color.value = marker.color;
  };

  set.addEventListener("click", async () => {
    set.disabled = true;
    try {
      marker = await api("PUT", "/api/v2/markers", {
        body: {
          target_type: "segment",
          target_id: segmentId,
          video_id: result.video_id,
          color: color.value,
          note: note.value || null,
        },
      });
      announce(`Marker set on ${label}.`);
    } catch (error) {
      announce(error, true);
    } finally {
      set.disabled = false;
      render();
    }
  });

  clear.addEventListener("click", async () => {
    if (!marker) return;
    clear.disabled = true;
    try {
      await api("DELETE", `/api/v2/markers/${encodeURIComponent(marker.marker_id)}`);
      marker = null;
      announce(`Marker cleared on ${label}.`);
    } catch (error) {
      announce(error, true);
    } finally {
      render();
    }
  });

  render();
  return el("div", { className: "marker row" }, color, note, set, clear, state);
}

function scoreOf(result) {
  const score = result.similarity_score ?? result.reranked_score;
  return typeof score === "number" ? score : null;
}

function resultItem(result, rank, announce) {
  const still = thumbnailOf(result);
  const name = result.video_name || result.video_id;
  const img = el("img", {
    alt: `Scene of ${name} at ${formatClock(result.start_time)}`,
    width: 320,
    height: 180,
    loading: "lazy",
  });
  showStill(img, still);
  const score = scoreOf(result);
  const range = el(
    "span",
    { className: "range" },
    clockTime(result.start_time),
    el("span", { "aria-hidden": "true" }, "–"),
    el("span", { className: "visually-hidden" }, " to "),
    clockTime(result.end_time),
  );
  const item = el(
    "li",
    { className: "card result", dataset: { segmentId: result.segment_id || result.result_id } },
    el("div", { className: "thumb", tabIndex: 0 }, img, range),
    el(
      "div",
      { className: "card-body" },
      el("h4", { className: "card-title" }, `#${rank} ${name}`),
      el(
        "p",
        { className: "card-meta" },
        score === null
          ? null
          : el(
              "span",
              { className: "score", dataset: { score: String(score) } },
              el("span", { className: "score-label" }, `score ${score.toFixed(3)}`),
              el("meter", {
                min: 0,
                max: 1,
                value: Math.max(0, Math.min(1, score)),
                "aria-hidden": "true",
              }),
            ),
      ),
      el("p", { className: "preview" }, result.content_preview || result.text_content || result.metadata_text || ""),
      markerControls(result, announce),
    ),
  );
  const gif = gifOf(result);
  if (gif) playOnHover(item.querySelector(".thumb"), img, still, async () => gif);
  return item;
}

const FILTER_PAGE_SIZE = 50;
const FILTER_PAGES = 20; // at most this many requests per filter (each reads a bounded slice)

export function searchPanel({ list, announce }) {
  function start(message) {
    // Never leave stale results on screen while the next answer is on its way.
    list.replaceChildren();
    list.setAttribute("aria-busy", "true");
    announce(message);
  }

  function show(results, what) {
    list.replaceChildren(...results.map((result, i) => resultItem(result, i + 1, announce)));
    list.removeAttribute("aria-busy");
    announce(results.length ? `${results.length} results for ${what}.` : `No results for ${what}.`);
    // On a phone the forms fill the screen: bring the answer into view.
    const heading = document.getElementById(list.getAttribute("aria-labelledby"));
    if (heading && heading.getBoundingClientRect().top > window.innerHeight * 0.75) {
      heading.scrollIntoView({ block: "start" });
    }
  }

  async function search(query, topK, runId) {
    start("Searching…");
    try {
      const results = await api("POST", "/api/v2/playground/search", {
        body: { query, top_k: topK },
        params: { run_id: runId },
      });
      show(Array.isArray(results) ? results : [], `“${query}”`);
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  async function filter(condition) {
    start("Filtering…");
    try {
      // A page reads a bounded number of segments (decision 041): it may come back short, or
      // empty, while more follow. Follow the cursor until a page's worth is found.
      const found = [];
      let cursor = null;
      for (let page = 0; page < FILTER_PAGES && found.length < FILTER_PAGE_SIZE; page += 1) {
        const response = await api("POST", "/api/v2/search/filter/playground", {
          body: { conditions: [condition], page_size: FILTER_PAGE_SIZE - found.length, cursor },
        });
        found.push(...(response?.data || []));
        cursor = response?.pagination?.has_more ? response.pagination.next_cursor : null;
        if (!cursor) break;
      }
      show(found, `${condition.field} ${condition.operator}`);
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  return { search, filter };
}

/** A filter condition from the form: the value typed per the chosen type. */
export function conditionFrom(field, operator, type, raw) {
  const condition = { field, operator, type };
  if (operator === "is_empty" || operator === "is_not_empty") return condition;
  let value = raw;
  if (type === "integer") value = Number.parseInt(raw, 10);
  else if (type === "number" || operator.startsWith("length_")) value = Number(raw);
  else if (type === "boolean") value = raw.trim().toLowerCase() === "true";
  condition.value = value;
  return condition;
}
