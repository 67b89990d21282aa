// Refreshes the live sections in place: fetch /ui/live, swap each [data-live] section by id. No framework, no
// reload; focus and scroll position stay where they are. Also the "Copy" button for a join command.
(() => {
  "use strict";
  const status = () => document.getElementById("live-status");
  const interval = Number(document.body.dataset.refreshMs || 0);
  let failing = false;

  async function refresh() {
    try {
      const response = await fetch("/ui/live", { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" });
      if (!response.ok) {
        throw new Error(response.status === 403 ? "this certificate is no longer allowed (403)" : `the registry answered ${response.status}`);
      }
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const section of fresh.querySelectorAll("[data-live]")) {
        const current = document.getElementById(section.id);
        if (current) {
          const active = document.activeElement;
          const keep = active && current.contains(active) && active.id ? active.id : null;
          current.replaceWith(document.adoptNode(section));
          if (keep) document.getElementById(keep)?.focus();
        }
      }
      const live = fresh.getElementById("live");
      if (live) document.getElementById("live")?.setAttribute("data-generation", live.dataset.generation || "");
      if (failing) { status().textContent = "Live updates resumed."; failing = false; }
    } catch (error) {
      if (!failing) { status().textContent = `Live updates paused: ${error.message}.`; failing = true; }
    }
  }

  if (interval > 0 && document.getElementById("live")) {
    setInterval(refresh, interval);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-copy]");
    if (!button) return;
    const text = document.getElementById(button.dataset.copy)?.textContent || "";
    navigator.clipboard?.writeText(text).then(() => { button.textContent = "Copied"; }, () => { button.textContent = "Select and copy"; });
  });
})();
