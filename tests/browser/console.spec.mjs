// The developer console in headless Chromium (Debian's, driven by playwright-core).
//
//   node tests/browser/console.spec.mjs <base_url> <api_key> <screenshot_dir> [steps]
//
// Run by tests/e2e/test_console_browser.py against the local stack. It talks to its runner on
// stdout: "NEED_INGEST" asks the runner to ingest a small real video for the user (the
// pipeline's events must then show up live); "NEED_EVENT <label>" asks it to publish one event
// whose video id is that label; "STEP <name>" reports progress;
// "CONSOLE_OK" is the last line of a passing run. Any failure exits non-zero. Checks of the
// tabs, the timeline and the phone layout are in console_checks.mjs.

import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import {
  check,
  imageLoaded,
  mediaCardChecks,
  openTab,
  phoneLayout,
  resultCardChecks,
  selectedTab,
  tabKeyboard,
  timelineChecks,
} from "./console_checks.mjs";

const [baseUrl, apiKey, shotDir, stepList] = process.argv.slice(2);
if (!baseUrl || !apiKey || !shotDir) {
  console.error("usage: console.spec.mjs <base_url> <api_key> <screenshot_dir> [steps]");
  process.exit(2);
}
const ALL_STEPS = ["key", "tabs", "events", "resume", "media", "search", "filter", "marker", "phone"];
const steps = new Set(stepList ? stepList.split(",") : ALL_STEPS);
const origin = new URL(baseUrl).origin;
const TIMEOUT = 30_000;

function step(name) {
  console.log(`STEP ${name}`);
}

async function api(method, path, body) {
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers: { "X-API-Key": apiKey, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function shot(page, name) {
  await page.screenshot({ path: join(shotDir, `${name}.png`), fullPage: true });
}

/** Ask the runner for an event and wait until the page shows it. */
async function liveEvent(page, label) {
  console.log(`NEED_EVENT ${label}`);
  const entry = page.locator("#event-log li.event", { hasText: label });
  await entry.first().waitFor({ timeout: TIMEOUT });
  return entry;
}

async function run() {
  mkdirSync(shotDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "vv-console-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  const sentKeyTo = [];
  const urls = [];
  const problems = [];
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    page.on("request", (request) => {
      urls.push(request.url());
      if (request.headers()["x-api-key"] !== undefined) sentKeyTo.push(request.url());
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

    // The page, served by the gateway at /console.
    await page.goto(`${baseUrl}/console`);
    check(new URL(page.url()).pathname === "/console/", `redirected to /console/ (${page.url()})`);
    await page.locator("body[data-ready=true]").waitFor();
    check((await page.getByLabel("API base URL").inputValue()) === origin, "base URL is the origin");
    // Keyboard: the first Tab reaches the skip link, a few more the key field.
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => document.activeElement.className);
    check(first === "skip", `the first Tab reaches the skip link (${first})`);
    let reached = false;
    for (let i = 0; i < 12 && !reached; i += 1) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement.id === "api-key");
    }
    check(reached, "the keyboard reaches the API key field");

    if (steps.has("key")) {
      step("key");
      await page.getByLabel("API key", { exact: true }).fill(apiKey);
      await page.getByRole("button", { name: "Use this key" }).click();
      // The header says a key is in use, and the connection panel folds away.
      await page.locator("#connection-text", { hasText: apiKey.slice(-4) }).waitFor();
      const toggle = page.locator("#connection-toggle");
      await page.locator("#connection").waitFor({ state: "hidden" });
      check((await toggle.getAttribute("aria-expanded")) === "false", "the toggle says folded");
      check(
        await page.evaluate(() => document.activeElement.id === "connection-toggle"),
        "focus moves to the toggle, not lost with the folded form",
      );
      await shot(page, "01-key");
      // It can be reopened (keyboard), shows the key's state, and folds again.
      await page.keyboard.press("Enter");
      await page.locator("#key-state", { hasText: apiKey.slice(-4) }).waitFor();
      check((await toggle.getAttribute("aria-expanded")) === "true", "the toggle says open");
      check((await page.getByLabel("API key", { exact: true }).inputValue()) === "", "the key field is cleared");
      await toggle.click();
      await page.locator("#connection").waitFor({ state: "hidden" });
      const stored = await page.evaluate(() => sessionStorage.getItem("vv.console.apiKey"));
      check(stored === apiKey, "the key is kept in sessionStorage");
    }

    if (steps.has("tabs")) {
      step("tabs");
      await tabKeyboard(page);
    }

    let seenIds = [];
    let lastId = "";
    if (steps.has("events")) {
      step("events");
      await openTab(page, "Events");
      await page.getByRole("button", { name: "Connect", exact: true }).click();
      await page.locator("#events-state[data-state=connected]").waitFor();
      await page.locator("#stream-status[data-state=connected]", { hasText: "live" }).waitFor();
      // The runner ingests a real file: the pipeline's events must show up live.
      console.log("NEED_INGEST");
      const log = page.locator("#event-log li.event");
      await log.filter({ hasText: "media.processing.completed" }).first().waitFor({ timeout: 180_000 });
      for (const type of ["media.created", "media.processing.started", "segment.processing.completed"]) {
        check((await log.filter({ hasText: type }).count()) > 0, `saw ${type} live`);
      }
      await timelineChecks(page, shot);
      await liveEvent(page, "console-live-1");
      seenIds = await log.evaluateAll((nodes) => nodes.map((n) => n.dataset.eventId));
      lastId = await page.locator("#events-last-id").textContent();
      check(seenIds.includes(lastId) && seenIds.every((id) => id <= lastId), "last id is the newest");
      await shot(page, "02-live-events");
    }

    if (steps.has("resume")) {
      step("resume");
      await page.reload();
      await page.locator("body[data-ready=true]").waitFor();
      check((await selectedTab(page)) === "events", "the reload keeps the Events tab");
      check(await page.locator("#connection").isHidden(), "with a key, the panel stays folded");
      // The stream reconnects by itself, from the last event id kept in the browser.
      await page.locator("#events-state[data-state=connected]").waitFor();
      check((await page.locator("#events-last-id").textContent()) === lastId, "last id kept");
      await liveEvent(page, "console-live-2");
      const after = await page
        .locator("#event-log li.event")
        .evaluateAll((nodes) => nodes.map((n) => n.dataset.eventId));
      check(
        after.every((id) => id > lastId && !seenIds.includes(id)),
        "after the reload no event seen before arrives again",
      );
      const streamUrls = urls.filter((u) => u.includes("/processing/events/stream?"));
      check(
        streamUrls.some((u) => new URL(u).searchParams.get("last_event_id") === lastId),
        "the reconnect resumed from the last event id",
      );
      await shot(page, "03-resumed");
    }

    if (steps.has("media")) {
      step("media");
      // An event while another tab shows: the Events tab counts it.
      await openTab(page, "Media");
      console.log("NEED_EVENT console-live-3");
      await page.locator("#events-unseen:not([hidden])").waitFor({ timeout: TIMEOUT });
      check(/^\s*\d+ new$/.test(await page.locator("#events-unseen").textContent()), "a count of new events");
      await page.getByRole("button", { name: "Load media" }).click();
      await page.locator("#status", { hasText: "media loaded" }).waitFor();
      const cards = page.locator("#media-list li.card");
      await cards.first().waitFor();
      // A grid of cards with duration and status, as the API has them.
      const listed = (await api("GET", "/api/v2/playground/videos")).body.data;
      check(listed.length === 1 && (await cards.count()) === 1, "the one clip is listed");
      await mediaCardChecks(page, cards.first(), listed[0]);
      const img = cards.first().locator("img");
      check((await imageLoaded(img)) > 0, "the first media thumbnail loads");
      const still = await img.getAttribute("src");
      await cards.first().hover();
      await page.locator("#media-list li.card[data-playing=true]").first().waitFor();
      const moving = await img.getAttribute("src");
      check(moving && moving !== still, "hovering swaps the thumbnail for the animation");
      check((await imageLoaded(img)) > 0, "the animation loads");
      check(
        urls.some((u) => /\/gif\?format=webp$/.test(u)),
        "hovering plays the animated WebP, not the GIF",
      );
      // Storyboard scrubbing: the pointer's position picks the tile.
      const thumb = cards.first().locator(".thumb");
      const box = await thumb.boundingBox();
      await page.mouse.move(box.x + box.width * 0.05, box.y + box.height / 2);
      await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
      await page.locator("#media-list li.card[data-scrub-tile]").first().waitFor();
      const first = Number(await cards.first().getAttribute("data-scrub-tile"));
      await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2);
      await page.waitForFunction(
        (was) => Number(document.querySelector("#media-list li.card").dataset.scrubTile) > was,
        first,
      );
      const frame = cards.first().locator(".scrub");
      check(await frame.isVisible(), "the storyboard tile shows under the pointer");
      const background = await frame.evaluate((node) => getComputedStyle(node).backgroundImage);
      check(/\/api\/v2\/previews\//.test(background), "the tile comes from the keyless sprite");
      check(urls.some((u) => /\/storyboard\.json$/.test(u)), "the storyboard layout was read");
      const spriteLoads = await page.evaluate(async (css) => {
        const url = css.slice(5, -2);
        const picture = new Image();
        picture.src = url;
        await picture.decode();
        return picture.naturalWidth;
      }, background);
      check(spriteLoads > 0, "the sprite loads");
      await shot(page, "04-media");
      await page.mouse.move(0, 0);
      // Asked for less motion, hovering keeps the still picture.
      await page.waitForFunction(() => !document.querySelector("#media-list li.card[data-playing]"));
      await page.emulateMedia({ reducedMotion: "reduce" });
      await cards.first().locator(".card-body").hover();
      await page.waitForTimeout(1000);
      check((await cards.first().getAttribute("data-playing")) === null, "no animation under reduced motion");
      check((await img.getAttribute("src")) === still, "the still stays");
      await page.emulateMedia({ reducedMotion: "no-preference" });
      await page.mouse.move(0, 0);
    }

    if (steps.has("search")) {
      step("search");
      await openTab(page, "Search");
      check((await page.locator("#events-unseen").isHidden()) === false, "unseen events stay counted");
      // The ingested clip has a navy scene, then a yellow one with a loud tone.
      await page.getByLabel("Query", { exact: true }).fill("a bright yellow scene with a loud tone");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      const results = page.locator("#results li.result");
      await results.first().waitFor();
      check((await results.count()) === 2, "both segments of the clip are ranked");
      check(/^#1 /.test(await results.first().locator("h4").textContent()), "results are ranked");
      check(/yellow/.test(await results.first().textContent()), "the yellow scene ranks first");
      check((await imageLoaded(results.first().locator("img"))) > 0, "a result thumbnail loads");
      await resultCardChecks(results);
      await shot(page, "05-search");
    }

    if (steps.has("filter")) {
      step("filter");
      await page.getByLabel("Field", { exact: true }).fill("dominant_color");
      await page.getByLabel("Operator", { exact: true }).selectOption("equals");
      await page.getByLabel("Type", { exact: true }).selectOption("string");
      await page.getByLabel("Value", { exact: true }).fill("yellow");
      await page.getByRole("button", { name: "Filter", exact: true }).click();
      await page.locator("#status", { hasText: "results for dominant_color equals" }).waitFor();
      const results = page.locator("#results li.result");
      check((await results.count()) === 1, `the filter keeps only the yellow scene (${await results.count()})`);
      check((await imageLoaded(results.first().locator("img"))) > 0, "its thumbnail loads");
    }

    if (steps.has("marker")) {
      step("marker");
      const first = page.locator("#results li.result").first();
      const segmentId = await first.getAttribute("data-segment-id");
      await first.getByLabel(/Marker color/).selectOption("green");
      await first.getByLabel(/Marker note/).fill("seen in the console");
      await first.getByRole("button", { name: "Set marker" }).click();
      await first.locator(".marker-state[data-marked=true]").waitFor();
      const marked = await api("GET", `/api/v2/markers?target_id=${encodeURIComponent(segmentId)}`);
      check(marked.status === 200 && marked.body.data.length === 1, "the marker is stored");
      check(marked.body.data[0].color === "green", "with its color");
      await shot(page, "06-marker");
      // A new search shows the marker on the result, from the API.
      await page.getByRole("button", { name: "Filter", exact: true }).click();
      await page.locator("#results li.result .marker-state[data-marked=true]").waitFor();
      const again = page.locator("#results li.result").first();
      await again.getByRole("button", { name: "Clear marker" }).click();
      await again.locator(".marker-state[data-marked=false]").waitFor();
      const cleared = await api("GET", `/api/v2/markers?target_id=${encodeURIComponent(segmentId)}`);
      check(cleared.status === 200 && cleared.body.data.length === 0, "the marker is cleared");
    }

    if (steps.has("phone")) {
      step("phone");
      await phoneLayout(page, shot);
    }

    // Accessibility basics: every control has a name.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll("input, select, button")]
        .filter((node) => !(node.labels && node.labels.length) && !node.getAttribute("aria-label"))
        .filter((node) => node.tagName !== "BUTTON" || !node.textContent.trim())
        .map((node) => node.id || node.outerHTML.slice(0, 60)),
    );
    check(unnamed.length === 0, `controls without a label: ${unnamed.join(", ")}`);

    // The key went only to the API, only as a header, never in a URL.
    check(sentKeyTo.every((u) => new URL(u).origin === origin), `key sent elsewhere: ${sentKeyTo}`);
    check(!urls.some((u) => u.includes(apiKey)), "the key never appears in a URL");
    check(problems.length === 0, problems.join("; "));
    console.log("CONSOLE_OK");
  } catch (error) {
    const page = context.pages()[0];
    if (page) {
      await shot(page, "failure").catch(() => {});
      const status = await page.locator("#status").textContent().catch(() => "");
      console.error(`page status line: ${status}`);
    }
    throw error;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

run().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
