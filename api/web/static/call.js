// Call page: every [data-t] element (transcript line, evidence quote) plays the recording from its moment,
// the line being heard is highlighted, `?t=` opens the call at a moment, and a call still being processed
// reloads the page when its status changes.
(() => {
  const root = document.getElementById("call");
  if (!root) return;
  const player = document.getElementById("player");
  const lines = Array.from(document.querySelectorAll(".seg"));

  function highlight(t) {
    let current = null;
    for (const line of lines) {
      if (Number(line.dataset.t) <= t + 0.05) current = line; else break;
    }
    for (const line of lines) line.classList.toggle("current", line === current);
    return current;
  }

  function reveal(line) {
    if (!line) return;
    const box = line.closest(".transcript");
    const top = line.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - line.offsetHeight) {
      box.scrollTo({ top: Math.max(0, top - box.clientHeight / 3), behavior: "smooth" });
    }
  }

  function seek(t, play) {
    if (player) {
      player.currentTime = t;
      // Browsers may refuse to play without a user gesture (e.g. when opened from a link); seeking still works.
      if (play) player.play().catch(() => {});
    }
    reveal(highlight(t));
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-t]");
    if (target && root.contains(target)) seek(Number(target.dataset.t), true);
  });
  if (player) player.addEventListener("timeupdate", () => highlight(player.currentTime));

  if (root.dataset.start !== undefined) seek(Number(root.dataset.start), false);

  if (root.dataset.active === "1") {
    const poll = async () => {
      try {
        const response = await fetch(`/v1/calls/${root.dataset.id}`);
        if (response.ok && (await response.json()).status !== root.dataset.status) return location.reload();
      } catch (_) { /* the server may be restarting: try again */ }
      setTimeout(poll, 2000);
    };
    setTimeout(poll, 2000);
  }
})();
