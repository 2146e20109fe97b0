// Screenshots of the developer console for the README, in Debian's headless Chromium.
//
//   node tests/browser/screenshots.mjs <base_url> <api_key> <out_dir>
//
// Run by `make screenshots` (infra/local/console_screenshots.py) against a private local stack.
// Once the page listens for events it prints "NEED_DEMO": the runner then ingests the demo
// media, so the timeline fills with the pipeline's real events. Writes console-media.png and
// console-events.png (desktop, 1280x800) and console-search-phone.png (390x844); "SHOTS_OK"
// ends a good run.

import { mkdtempSync, mkdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [baseUrl, apiKey, outDir] = process.argv.slice(2);
if (!baseUrl || !apiKey || !outDir) {
  console.error("usage: screenshots.mjs <base_url> <api_key> <out_dir>");
  process.exit(2);
}
const MEDIA_COUNT = 5; // infra/local/demo_media.py
const MAX_BYTES = 300_000;

async function api(path) {
  const response = await fetch(new URL(path, baseUrl), { headers: { "X-API-Key": apiKey } });
  return response.json();
}

/** Wait until the demo media are processed: the grid then shows them as they will stay. */
async function demoProcessed() {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const page = await api("/api/v2/playground/videos?limit=50");
    const done = (page.data || []).filter((v) => ["processed", "failed"].includes(v.status));
    if (done.length >= MEDIA_COUNT) return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error("the demo media were not processed in time");
}

async function settled(page) {
  // Every thumbnail in view decoded, so no screenshot shows a half-loaded grid.
  await page.waitForFunction(() =>
    [...document.querySelectorAll("main img")]
      .filter((img) => img.offsetParent && img.getAttribute("src"))
      .filter((img) => img.getBoundingClientRect().top < window.innerHeight)
      .every((img) => img.complete && img.naturalWidth > 0),
  );
}

async function save(page, name) {
  const path = join(outDir, name);
  await page.screenshot({ path });
  const bytes = statSync(path).size;
  console.log(`WROTE ${path} ${bytes} bytes`);
  if (bytes > MAX_BYTES) throw new Error(`${name} is ${bytes} bytes (> ${MAX_BYTES})`);
}

async function run() {
  mkdirSync(outDir, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "vv-console-shots-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"],
    viewport: { width: 1280, height: 800 },
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(60_000);
    await page.goto(`${baseUrl}/console/`);
    await page.locator("body[data-ready=true]").waitFor();
    await page.getByLabel("API key", { exact: true }).fill(apiKey);
    await page.getByRole("button", { name: "Use this key" }).click();

    await page.getByRole("tab", { name: /Events/ }).click();
    await page.getByRole("button", { name: "Connect", exact: true }).click();
    await page.locator("#events-state[data-state=connected]").waitFor();
    console.log("NEED_DEMO");
    await demoProcessed();
    await page.locator("#event-log li.event", { hasText: "media.processing.completed" }).first().waitFor();

    await page.getByRole("tab", { name: /Media/ }).click();
    await page.getByRole("button", { name: "Load media" }).click();
    await page.locator("#status", { hasText: "media loaded" }).waitFor();
    await settled(page);
    // One card mid-scrub, as a pointer over it would leave it.
    const card = page.locator("#media-list li.card", { hasText: "Red, blue, green" });
    const box = await card.locator(".thumb").boundingBox();
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height / 2);
    await page.locator("#media-list li.card[data-scrub-tile]").waitFor();
    await page.waitForTimeout(500);
    await save(page, "console-media.png");
    await page.mouse.move(0, 0);

    await page.getByRole("tab", { name: /Events/ }).click();
    await page.locator(".chip[data-event-type='prompt_run.progress']").click();
    await save(page, "console-events.png");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("tab", { name: /Search/ }).click();
    await page.getByLabel("Query", { exact: true }).fill("a bright yellow scene with a loud tone");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.locator("#results li.result").first().waitFor();
    await page.locator("#results-title").evaluate((node) => node.scrollIntoView({ block: "start" }));
    await settled(page);
    await save(page, "console-search-phone.png");
    console.log("SHOTS_OK");
  } catch (error) {
    const page = context.pages()[0];
    if (page) await page.screenshot({ path: join(outDir, "failure.png") }).catch(() => {});
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
