// The asset page: the player, its timecode, the transcript following the sound (the current
// word highlighted), click a word to go there, select words to make a clip, shots and markers
// that seek, and clips that play their range.
import { api, toast } from "./common.js";
import { Clock } from "./timecode.js";

const root = document.getElementById("asset");
const player = document.getElementById("player");
const transcript = document.getElementById("transcript");
const d = root ? root.dataset : {};
const clock = new Clock(Number(d.rateNum) || 0, Number(d.rateDen) || 1,
                        Number(d.startFrame) || 0, d.dropFrame === "1");

const words = transcript ? [...transcript.querySelectorAll(".w")] : [];
const starts = words.map((w) => Number(w.dataset.s));
const shots = [...document.querySelectorAll("#shots .shot")];
const shotStarts = shots.map((s) => Number(s.dataset.t));
let current = null;
let currentShot = null;
let stopAt = null;

function seek(seconds, { play = false } = {}) {
  if (!player) return;
  player.currentTime = Math.max(0, seconds);
  if (play) player.play().catch(() => {});
}

/** The last index whose start is at or before `t` (starts are sorted), or -1. */
function lastAtOrBefore(list, t) {
  let lo = 0, hi = list.length - 1, found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] <= t + 1e-4) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
  }
  return found;
}

function selecting() {
  const sel = window.getSelection();
  return sel && !sel.isCollapsed && transcript && transcript.contains(sel.anchorNode);
}

function follow() {
  if (!player) return;
  const t = player.currentTime;
  const tc = document.getElementById("timecode");
  if (tc) tc.textContent = clock.label(t);
  const secs = document.getElementById("seconds");
  if (secs) secs.textContent = `${t.toFixed(3)} s`;
  if (stopAt !== null && t >= stopAt) {
    player.pause();
    stopAt = null;
  }

  const i = lastAtOrBefore(starts, t);
  const word = i >= 0 && t < Number(words[i].dataset.e) + 0.25 ? words[i] : null;
  if (word !== current) {
    if (current) {
      current.classList.remove("now");
      current.closest(".seg").classList.remove("current");
    }
    current = word;
    if (current) {
      current.classList.add("now");
      current.closest(".seg").classList.add("current");
      if (!player.paused && !selecting()) keepInView(current);
    }
  }
  const s = lastAtOrBefore(shotStarts, t);
  const shot = s >= 0 ? shots[s] : null;
  if (shot !== currentShot) {
    if (currentShot) currentShot.classList.remove("current");
    currentShot = shot;
    if (currentShot) currentShot.classList.add("current");
  }
}

function keepInView(el) {
  const box = transcript.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < box.top || r.bottom > box.bottom) {
    transcript.scrollTop += r.top - box.top - box.height / 3;
  }
}

function loop() {
  follow();
  if (player && !player.paused) requestAnimationFrame(loop);
}

if (player) {
  player.addEventListener("play", () => requestAnimationFrame(loop));
  player.addEventListener("seeked", follow);
  player.addEventListener("timeupdate", follow);
  const start = Number(d.t);
  if (d.t !== "" && Number.isFinite(start)) {
    const go = () => { player.currentTime = start; follow(); };
    if (player.readyState >= 1) go(); else player.addEventListener("loadedmetadata", go, { once: true });
  }
}

// Seek buttons everywhere (segment times, shots, transitions, markers).
document.addEventListener("click", (event) => {
  const button = event.target.closest(".seek[data-t]");
  if (button && player) {
    seek(Number(button.dataset.t));
    return;
  }
  const range = event.target.closest(".play-range");
  if (range && player) {
    stopAt = Number(range.dataset.out);
    seek(Number(range.dataset.in), { play: true });
  }
});

// --- the transcript: click to seek, select to clip --------------------------------------------
const maker = document.getElementById("clip-maker");
let chosen = null;

function selectedWords() {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed || !sel.rangeCount) return [];
  const range = sel.getRangeAt(0);
  return words.filter((w) => range.intersectsNode(w) && w.textContent.trim());
}

function showMaker() {
  if (!maker) return;
  const picked = selectedWords();
  if (picked.length < 1) return;
  const first = picked[0], last = picked[picked.length - 1];
  chosen = { in: Number(first.dataset.s), out: Number(last.dataset.e),
             text: picked.map((w) => w.textContent).join(" ") };
  document.getElementById("clip-in").textContent = clock.label(chosen.in);
  document.getElementById("clip-out").textContent = clock.label(chosen.out);
  document.getElementById("clip-len").textContent = `${(chosen.out - chosen.in).toFixed(2)} s`;
  document.getElementById("clip-words").textContent = `“${chosen.text}”`;
  maker.hidden = false;
}

if (transcript) {
  transcript.addEventListener("click", (event) => {
    const word = event.target.closest(".w");
    if (!word || selecting()) return;
    seek(Number(word.dataset.s));
  });
  transcript.addEventListener("mouseup", () => setTimeout(showMaker, 0));
  transcript.addEventListener("keyup", () => setTimeout(showMaker, 0));
}

function addClipRow(clip) {
  const list = document.getElementById("clips");
  if (!list) return;
  list.querySelector(".none")?.remove();
  const li = document.createElement("li");
  li.className = "clip fresh";
  const play = document.createElement("button");
  play.type = "button";
  play.className = "play-range";
  play.dataset.in = clip.in;
  play.dataset.out = clip.out;
  play.title = "Play this clip";
  play.textContent = "▶";
  const a = document.createElement("span");
  a.className = "tc";
  a.textContent = clip.in_timecode || String(clip.in);
  const b = document.createElement("span");
  b.className = "tc";
  b.textContent = clip.out_timecode || String(clip.out);
  const label = document.createElement("span");
  label.className = "label";
  label.textContent = clip.label || "";
  const id = document.createElement("span");
  id.className = "dim";
  id.textContent = `#${clip.id}`;
  li.append(play, " ", a, "–", b, " ", label, " ", id);
  li.dataset.in = clip.in;
  li.dataset.out = clip.out;
  list.append(li);
}

if (maker) {
  maker.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosen) return;
    const label = document.getElementById("clip-label").value.trim() || chosen.text;
    try {
      const clip = await api("POST", "/api/clips",
                             { asset: d.asset, in: chosen.in, out: chosen.out, label });
      addClipRow(clip);
      toast(`Clip ${clip.id} made: ${clip.in_timecode ?? clip.in} → ${clip.out_timecode ?? clip.out}`);
      maker.hidden = true;
      document.getElementById("clip-label").value = "";
      window.getSelection().removeAllRanges();
    } catch (err) {
      toast(err.message, "error");
    }
  });
  document.getElementById("clip-cancel").addEventListener("click", () => {
    maker.hidden = true;
    window.getSelection().removeAllRanges();
  });
}

// "now" fills a marker time with the player's position.
const now = document.getElementById("note-now");
if (now && player) {
  now.addEventListener("click", () => {
    document.getElementById("note-at").value = player.currentTime.toFixed(3);
  });
}
