// Checks of the console's layout and widgets shared by console.spec.mjs: tabs, the events
// timeline, the phone layout. Each throws "check failed: …" when the page is wrong.

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Which tab is selected, which panel shows, and the roving tabindex, all agreeing. */
export async function selectedTab(page) {
  const state = await page.evaluate(() =>
    [...document.querySelectorAll('[role="tab"]')].map((tab) => ({
      panel: tab.getAttribute("aria-controls"),
      selected: tab.getAttribute("aria-selected"),
      tabIndex: tab.tabIndex,
      shown: !document.getElementById(tab.getAttribute("aria-controls")).hidden,
    })),
  );
  const selected = state.filter((tab) => tab.selected === "true");
  check(selected.length === 1, `exactly one tab selected (${JSON.stringify(state)})`);
  for (const tab of state) {
    const on = tab.selected === "true";
    check(tab.shown === on, `only the selected tab's panel shows (${JSON.stringify(state)})`);
    check(tab.tabIndex === (on ? 0 : -1), `one tab stop, on the selected tab (${JSON.stringify(state)})`);
    check(on || tab.selected === "false", `aria-selected is "true" or "false" (${tab.selected})`);
  }
  return selected[0].panel;
}

export async function openTab(page, name) {
  await page.getByRole("tab", { name: new RegExp(`^${name}`) }).click();
  check((await selectedTab(page)) === name.toLowerCase(), `the ${name} tab is selected`);
}

/** mm:ss, as the page writes it (console/dom.js formatClock). */
function clock(seconds) {
  const total = Math.floor(seconds);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

async function noSidewaysScroll(page, where) {
  const sizes = await page.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth]);
  check(sizes[0] <= sizes[1], `no sideways scrolling on ${where} (${sizes[0]} > ${sizes[1]})`);
}

/** The timeline: every entry labelled with its type in words and coloured by its kind; a chip
 * per type that hides and shows that type's entries. */
export async function timelineChecks(page, shot) {
  const entries = page.locator("#event-log li.event");
  const labelled = await entries.evaluateAll((nodes) =>
    nodes.every((n) => n.querySelector(".event-type").textContent === n.dataset.eventType),
  );
  check(labelled, "every entry names its type in words");
  const colour = (type) =>
    page
      .locator(`#event-log li.event[data-event-type="${type}"] .event-type`)
      .first()
      .evaluate((node) => getComputedStyle(node).color);
  const colours = new Set([
    await colour("media.created"),
    await colour("media.processing.started"),
    await colour("media.processing.completed"),
  ]);
  check(colours.size === 3, `created, started and completed have their own colours (${[...colours]})`);
  const ids = await entries.evaluateAll((nodes) => nodes.map((n) => n.dataset.eventId));
  check(ids.every((id, i) => i === 0 || id < ids[i - 1]), "newest first");

  const chip = page.locator('#event-chips .chip[data-event-type="media.created"]');
  check((await chip.getAttribute("aria-pressed")) === "true", "every type is shown at first");
  const created = page.locator('#event-log li.event[data-event-type="media.created"]');
  const others = page.locator('#event-log li.event:not([data-event-type="media.created"])');
  const count = await created.count();
  check(count > 0, "media.created is on the timeline");
  check(Number(await chip.locator(".chip-count").textContent()) === count, "the chip counts its entries");
  await chip.click();
  check((await chip.getAttribute("aria-pressed")) === "false", "the chip says it is off");
  await created.first().waitFor({ state: "hidden" });
  check(
    (await created.evaluateAll((nodes) => nodes.every((n) => n.hidden))) &&
      (await others.evaluateAll((nodes) => nodes.every((n) => !n.hidden && n.offsetHeight > 0))),
    "only that type's entries are hidden",
  );
  await shot(page, "02-timeline-filtered");
  await chip.press("Enter"); // the keyboard toggles it back
  check((await chip.getAttribute("aria-pressed")) === "true", "the chip is on again");
  check(await created.evaluateAll((nodes) => nodes.every((n) => !n.hidden)), "and its entries back");
}

export async function imageLoaded(img) {
  await img.evaluate(
    (node) =>
      node.complete && node.naturalWidth > 0
        ? true
        : new Promise((resolve, reject) => {
            node.addEventListener("load", () => resolve(true), { once: true });
            node.addEventListener("error", () => reject(new Error(`image failed: ${node.src}`)), {
              once: true,
            });
          }),
  );
  return img.evaluate((node) => node.naturalWidth);
}

/** The tabs by click, then by keyboard; ends on the Events tab. */
export async function tabKeyboard(page) {
  check((await selectedTab(page)) === "media", "Media is the first tab shown");
  await openTab(page, "Search");
  check(await page.getByLabel("Query", { exact: true }).isVisible(), "the search panel shows");
  check(!(await page.locator("#load-media").isVisible()), "the media panel is hidden");
  // Arrow keys move along the tabs (and wrap), Home and End jump; focus follows.
  const keys = [
    ["ArrowRight", "events"],
    ["ArrowRight", "media"],
    ["ArrowLeft", "events"],
    ["ArrowLeft", "search"],
    ["Home", "media"],
    ["End", "events"],
  ];
  for (const [key, panel] of keys) {
    await page.keyboard.press(key);
    check((await selectedTab(page)) === panel, `${key} selects ${panel}`);
    const focused = await page.evaluate(() => document.activeElement.getAttribute("aria-controls"));
    check(focused === panel, `${key} moves focus to the ${panel} tab (${focused})`);
  }
  // Tab leaves the tablist for the panel: one tab stop for the whole list.
  await page.keyboard.press("Tab");
  const into = await page.evaluate(() => document.activeElement.closest('[role="tabpanel"]')?.id);
  check(into === "events", `Tab moves from the tablist into the panel (${into})`);
  check(new URL(page.url()).hash === "#events", "the selected tab is kept in the URL");
}

/** Every tab on a phone: one column, nothing wider than the screen; tabs in one row. */
export async function phoneLayout(page, shot) {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const name of ["Media", "Search", "Events"]) {
    await openTab(page, name);
    await noSidewaysScroll(page, `a phone, ${name} tab`);
    await shot(page, `07-phone-${name.toLowerCase()}`);
  }
  await page.getByRole("button", { name: "Connection" }).click();
  await noSidewaysScroll(page, "a phone, connection open");
  await page.getByRole("button", { name: "Connection" }).click();
  const tops = await page
    .locator('[role="tab"]')
    .evaluateAll((tabs) => tabs.map((tab) => Math.round(tab.getBoundingClientRect().top)));
  check(new Set(tops).size === 1, `the tabs stay in one row (${tops})`);
  const columns = await page
    .locator("#results")
    .evaluate((node) => getComputedStyle(node).gridTemplateColumns.split(" ").length);
  check(columns === 1, `one column of results on a phone (${columns})`);
  await page.getByRole("tab", { name: /^Events/ }).focus();
  await page.keyboard.press("ArrowLeft");
  check((await selectedTab(page)) === "search", "arrow keys work on a phone too");
}

/** A media card shows its duration (mm:ss) and status as the API has them, in a grid. */
export async function mediaCardChecks(page, card, video) {
  const duration = card.locator(".thumb time.duration");
  check((await duration.textContent()) === clock(video.duration_seconds), "the duration, mm:ss");
  check(/^\d\d:\d\d$/.test(await duration.textContent()), "mm:ss");
  check(
    (await duration.getAttribute("datetime")) === `PT${Number(video.duration_seconds.toFixed(3))}S`,
    "the exact duration is machine-readable",
  );
  const badge = card.locator(".status-badge");
  check((await badge.getAttribute("data-status")) === "processed", "the status badge");
  check((await badge.textContent()) === "Processed", "the status in words, not colour only");
  const columns = await page
    .locator("#media-list")
    .evaluate((node) => getComputedStyle(node).gridTemplateColumns.split(" ").length);
  check(columns >= 3, `a grid on a wide screen (${columns} columns)`);
}

/** A search result shows its scene's time range (mm:ss–mm:ss) on the thumbnail, and a score;
 * the first is the clip's yellow scene (2.5-5 s). */
export async function resultCardChecks(results) {
  const range = results.first().locator(".thumb .range time");
  check((await range.count()) === 2, "a start and an end");
  check(
    (await range.allTextContents()).join("–") === "00:02–00:05",
    `the yellow scene is 2.5-5 s (${await range.allTextContents()})`,
  );
  check((await range.first().getAttribute("datetime")) === "PT2.5S", "exact start in datetime");
  const scores = await results.locator(".score").evaluateAll((nodes) =>
    nodes.map((node) => [Number(node.dataset.score), node.textContent]),
  );
  check(scores.length === 2, "every result shows its score");
  for (const [score, text] of scores) {
    check(score > 0 && score <= 1 && text === `score ${score.toFixed(3)}`, `score shown (${text})`);
  }
  check(scores[0][0] >= scores[1][0], "ranked by score");
}
