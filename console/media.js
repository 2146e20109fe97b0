// Playground media: a paginated grid of cards, each with a thumbnail that plays its animated
// WebP while hovered or focused, and scrubs through its storyboard under the pointer.

import { api, keyedImage, safeImageUrl } from "./api.js";
import { clockTime, el, formatDuration } from "./dom.js";

const PAGE_SIZE = 24;

/** Show a still in an <img>, retrying a few times when it fails: cold previews are rendered
 * on first request, and past the key's render budget the API answers 429 (Retry-After), which
 * a grid of new media meets at once. */
export function showStill(img, url, attempts = 5) {
  if (!url) return;
  let tries = 0;
  img.addEventListener("error", () => {
    if (img.src !== url || tries >= attempts) return; // a hover preview, or given up
    const delay = 1000 * 2 ** tries;
    tries += 1;
    setTimeout(() => {
      // Setting src again, even to the same URL, makes the browser load it afresh.
      if (img.src === url) img.src = url;
    }, delay);
  });
  img.src = url;
}

/** Swap a thumbnail for its animated preview on hover and keyboard focus. */
export function playOnHover(card, img, stillUrl, gifSource) {
  let gifUrl = "";
  const play = async () => {
    // Motion the user did not drive: none when they asked for less (scrubbing still works).
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) return;
    if (!gifUrl) {
      try {
        gifUrl = await gifSource();
      } catch {
        gifUrl = "";
      }
    }
    if (gifUrl) {
      img.src = gifUrl;
      card.dataset.playing = "true";
    }
  };
  const stop = () => {
    if (stillUrl) img.src = stillUrl;
    delete card.dataset.playing;
  };
  card.addEventListener("mouseenter", play);
  card.addEventListener("focusin", play);
  card.addEventListener("mouseleave", stop);
  card.addEventListener("focusout", stop);
}

const STATUS_WORDS = {
  processed: "Processed",
  processing: "Processing",
  not_processed: "Not processed",
  failed: "Failed",
};

function statusBadge(status) {
  const word = STATUS_WORDS[status] || String(status || "unknown").replace(/_/g, " ");
  return el("span", { className: "badge status-badge", dataset: { status: status || "unknown" } }, word);
}

function mediaCard(video) {
  const title = video.title || video.video_id;
  const still = safeImageUrl(video.first_thumbnail);
  const img = el("img", {
    alt: `Preview of ${title}`,
    width: 320,
    height: 180,
    loading: "lazy",
    decoding: "async",
  });
  showStill(img, still);
  const kind = video.media_type || "video";
  const hasDuration = typeof video.duration_seconds === "number" && video.duration_seconds > 0;
  const card = el(
    "li",
    { className: "card", tabIndex: 0, dataset: { videoId: video.video_id, status: video.status || "" } },
    el(
      "div",
      { className: "thumb" },
      img,
      hasDuration ? clockTime(video.duration_seconds, "duration") : null,
    ),
    el(
      "div",
      { className: "card-body" },
      el("h3", { className: "card-title" }, title),
      el(
        "p",
        { className: "card-meta" },
        statusBadge(video.status),
        el("span", { className: "badge kind-badge" }, kind),
      ),
      el("p", { className: "meta mono id" }, video.video_id),
    ),
  );
  const isVideo = (video.media_type || "video") === "video";
  if (isVideo) {
    const base = `/api/v2/videos/${encodeURIComponent(video.video_id)}`;
    // Animated WebP: the GIF's clip at a fraction of its bytes (docs/decisions/033).
    playOnHover(card, img, still, async () => keyedImage(`${base}/gif?format=webp`));
    scrubOnHover(card, card.querySelector(".thumb"), base);
  }
  return card;
}

/** Hover scrubbing: the pointer's position over the thumbnail picks a storyboard tile
 * (the sprite is a keyless link; its layout comes from storyboard.json, fetched once). */
export function scrubOnHover(card, thumb, base) {
  let board = null;
  let loading = null;
  const frame = el("div", { className: "scrub", hidden: true, "aria-hidden": "true" });
  thumb.append(frame);
  const load = () => {
    loading ||= api("GET", `${base}/storyboard.json`)
      .then((body) => {
        board = body && Array.isArray(body.tiles) && body.tiles.length ? body : null;
      })
      .catch(() => {
        board = null;
      });
    return loading;
  };
  const show = (event) => {
    if (!board) return;
    const sprite = safeImageUrl(board.url);
    if (!sprite) return;
    const box = thumb.getBoundingClientRect();
    const share = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 0.999);
    const index = Math.floor(share * board.tiles.length);
    const tile = board.tiles[index];
    const scale = box.width / board.tile_width;
    frame.style.backgroundImage = `url("${sprite}")`;
    frame.style.backgroundSize = `${board.columns * board.tile_width * scale}px auto`;
    frame.style.backgroundPosition = `${-tile.x * scale}px ${-tile.y * scale}px`;
    frame.hidden = false;
    card.dataset.scrubTile = String(index);
    card.dataset.scrubTime = formatDuration(tile.start);
  };
  thumb.addEventListener("mouseenter", load);
  thumb.addEventListener("mousemove", (event) => {
    if (board) show(event);
    else load().then(() => show(event));
  });
  thumb.addEventListener("mouseleave", () => {
    frame.hidden = true;
    delete card.dataset.scrubTile;
  });
}

export function mediaPanel({ list, loadButton, moreButton, announce }) {
  let cursor = null;

  async function load(reset) {
    if (reset) {
      cursor = null;
      list.replaceChildren();
    }
    loadButton.disabled = true;
    moreButton.disabled = true;
    announce("Loading media…");
    try {
      const page = await api("GET", "/api/v2/playground/videos", {
        params: { limit: PAGE_SIZE, cursor },
      });
      const videos = (page && page.data) || [];
      list.append(...videos.map(mediaCard));
      const pagination = (page && page.pagination) || {};
      cursor = pagination.has_more ? pagination.next_cursor : null;
      moreButton.hidden = !cursor;
      const total = list.children.length;
      announce(total ? `${total} media loaded.` : "No playground media yet.");
    } finally {
      loadButton.disabled = false;
      moreButton.disabled = false;
    }
  }

  /** A processing event about a listed media: its card's badge follows, live. */
  function setStatus(videoId, status) {
    for (const card of list.querySelectorAll("li.card")) {
      if (card.dataset.videoId !== videoId) continue;
      card.dataset.status = status;
      card.querySelector(".status-badge").replaceWith(statusBadge(status));
    }
  }

  return { load, setStatus };
}
