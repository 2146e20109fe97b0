// Tabs after the WAI-ARIA Authoring Practices' tabs pattern, with automatic activation:
// one tab stop for the whole tablist (roving tabindex), arrow keys move and select, Home/End
// jump, and only the selected tab's panel is shown. The selected tab is kept in the URL's
// fragment, so a reload (or a shared link such as /console/#events) opens the same one.

export function tabs(tablist, { onSelect } = {}) {
  const all = [...tablist.querySelectorAll('[role="tab"]')];
  const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));

  function select(tab, { focus = false, remember = true } = {}) {
    for (const other of all) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      panelOf(other).hidden = !selected;
    }
    if (focus) tab.focus();
    const id = panelOf(tab).id;
    if (remember && window.location.hash !== `#${id}`) {
      // replaceState: switching tabs is not navigation, and must not scroll the page.
      window.history.replaceState(null, "", `#${id}`);
    }
    if (onSelect) onSelect(id);
  }

  tablist.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (tab) select(tab, { focus: true });
  });

  tablist.addEventListener("keydown", (event) => {
    const at = all.indexOf(document.activeElement);
    if (at < 0) return;
    const next = {
      ArrowRight: (at + 1) % all.length,
      ArrowLeft: (at - 1 + all.length) % all.length,
      Home: 0,
      End: all.length - 1,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(all[next], { focus: true });
  });

  const wanted = all.find((tab) => `#${panelOf(tab).id}` === window.location.hash);
  select(wanted || all[0], { remember: Boolean(wanted) });

  return {
    show(id) {
      const tab = all.find((candidate) => panelOf(candidate).id === id);
      if (tab) select(tab);
    },
    selected() {
      const tab = all.find((candidate) => candidate.getAttribute("aria-selected") === "true");
      return tab ? panelOf(tab).id : "";
    },
  };
}
