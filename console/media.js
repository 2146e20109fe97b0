// Playground media: a paginated grid of cards, each with a thumbnail that plays its GIF
// while hovered or focused.

import { api, keyedImage, safeImageUrl } from "./api.js";
import { el, formatDuration } from "./dom.js";

const PAGE_SIZE = 24;

/** Swap a thumbnail for its animated preview on hover and keyboard focus. */
export function playOnHover(card, img, stillUrl, gifSource) {
  let gifUrl = "";
  const play = async () => {
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
  if (still) img.src = still;
  const card = el(
    "li",
    { className: "card", tabIndex: 0, dataset: { videoId: video.video_id } },
    el("div", { className: "thumb" }, img),
    el("h3", { className: "card-title" }, title),
    el(
      "p",
      { className: "meta" },
      `${video.media_type || "video"} · ${video.status}` +
        (video.duration_seconds ? ` · ${formatDuration(video.duration_seconds)}` : ""),
    ),
    el("p", { className: "meta mono" }, video.video_id),
  );
  const gif = safeImageUrl(video.gif_data);
  const isVideo = (video.media_type || "video") === "video";
  if (isVideo) {
    playOnHover(card, img, still, async () =>
      gif || keyedImage(`/api/v2/videos/${encodeURIComponent(video.video_id)}/gif`),
    );
  }
  return card;
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

  return { load };
}
