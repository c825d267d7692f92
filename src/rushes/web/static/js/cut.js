// A paper edit: drag items to reorder (native HTML5 drag and drop), and play the cut through in
// one player by sequencing each source's range; stills and text cards hold for their duration.
import { api, toast } from "./common.js";
import { formatFrames, parseTimecode } from "./timecode.js";

const root = document.getElementById("cut");
const cut = JSON.parse(document.getElementById("cut-data").textContent);
const list = document.getElementById("items");

// --- reorder ------------------------------------------------------------------------------------
let dragged = null;

function clearMarks() {
  list?.querySelectorAll(".drop-before, .drop-after")
    .forEach((el) => el.classList.remove("drop-before", "drop-after"));
}

function placement(item, event) {
  const box = item.getBoundingClientRect();
  return event.clientY < box.top + box.height / 2 ? "before" : "after";
}

/** Where the dragged item lands, 1-based, once the others close up around it. */
export function targetPosition(from, over, where) {
  const to = where === "before" ? over : over + 1;
  return from < to ? to - 1 : to;
}

if (list && root.dataset.canEdit === "1") {
  list.addEventListener("dragstart", (event) => {
    dragged = event.target.closest(".item");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.position);
  });
  list.addEventListener("dragend", () => {
    dragged?.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });
  list.addEventListener("dragover", (event) => {
    const item = event.target.closest(".item");
    if (!item || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    if (item !== dragged) item.classList.add(`drop-${placement(item, event)}`);
  });
  list.addEventListener("drop", async (event) => {
    const item = event.target.closest(".item");
    if (!item || !dragged) return;
    event.preventDefault();
    const from = Number(dragged.dataset.position);
    const to = targetPosition(from, Number(item.dataset.position), placement(item, event));
    clearMarks();
    if (to === from) return;
    try {
      await api("POST", `${root.dataset.api}/move`, { from, to });
      window.location.reload();
    } catch (err) {
      toast(err.message, "error");
    }
  });
}

// --- play the cut through -----------------------------------------------------------------------
const video = document.getElementById("cut-player");
const still = document.getElementById("cut-still");
const card = document.getElementById("cut-card");
const playButton = document.getElementById("cut-play");
const stopButton = document.getElementById("cut-stop");
const [rateNum, rateDen] = String(cut.rate).split("/").map(Number);
const start = parseTimecode(cut.start_timecode, rateNum, rateDen || 1);
let index = -1;
let timer = null;
let running = false;
let itemStarted = 0;

function recordLabel(seconds) {
  const frames = start.frames + Math.floor(seconds * rateNum / (rateDen || 1) + 1e-7);
  return formatFrames(frames, rateNum, rateDen || 1, cut.drop_frame);
}

function showTime(recordSeconds) {
  document.getElementById("cut-tc").textContent = recordLabel(recordSeconds);
}

function mark(i) {
  list?.querySelectorAll(".item.playing").forEach((el) => el.classList.remove("playing"));
  list?.querySelector(`.item[data-position="${i + 1}"]`)?.classList.add("playing");
}

function show(which) {
  video.hidden = which !== "video";
  still.hidden = which !== "still";
  card.hidden = which !== "card";
}

function holdFor(item, seconds) {
  itemStarted = performance.now();
  const tick = () => {
    if (!running) return;
    const elapsed = (performance.now() - itemStarted) / 1000;
    showTime(item.record_in + Math.min(elapsed, seconds));
    if (elapsed >= seconds) next(); else timer = requestAnimationFrame(tick);
  };
  timer = requestAnimationFrame(tick);
}

function playClip(item) {
  show("video");
  const url = `/media/${item.asset}/play`;
  const begin = () => {
    video.currentTime = item.source_in;
    video.play().catch((err) => { toast(`cannot play ${item.name || item.path}: ${err.message}`, "error"); next(); });
  };
  if (!video.src.endsWith(url)) {
    video.src = url;
    video.addEventListener("loadedmetadata", begin, { once: true });
  } else {
    begin();
  }
  const watch = () => {
    if (!running || cut.items[index] !== item) return;
    const t = video.currentTime;
    if (t >= item.source_in) showTime(item.record_in + (t - item.source_in));
    if (t >= item.source_out - 0.02 || video.ended) {
      next();
      return;
    }
    timer = requestAnimationFrame(watch);
  };
  timer = requestAnimationFrame(watch);
}

function playItem(i) {
  index = i;
  if (i >= cut.items.length) {
    stop();
    return;
  }
  const item = cut.items[i];
  mark(i);
  document.getElementById("cut-now").textContent =
    `${i + 1}/${cut.items.length} · ${item.label || item.name || item.text || item.kind}`;
  if (item.kind === "clip" && item.asset) {
    playClip(item);
  } else if (item.kind === "still" && item.asset) {
    video.pause();
    still.src = `/media/${item.asset}/poster`;
    show("still");
    holdFor(item, item.duration);
  } else {
    video.pause();
    card.querySelector(".card-kind").textContent = item.kind;
    card.querySelector(".card-text").textContent = item.text || item.label || "";
    show("card");
    holdFor(item, item.duration);
  }
}

function next() {
  cancelAnimationFrame(timer);
  if (running) playItem(index + 1);
}

function stop() {
  running = false;
  cancelAnimationFrame(timer);
  video.pause();
  playButton.disabled = !cut.items.length;
  stopButton.disabled = true;
  mark(-1);
}

if (playButton) {
  show("card");
  card.querySelector(".card-kind").textContent = "paper edit";
  card.querySelector(".card-text").textContent = cut.name;
  playButton.addEventListener("click", () => {
    running = true;
    playButton.disabled = true;
    stopButton.disabled = false;
    playItem(0);
  });
  stopButton.addEventListener("click", stop);
  video.addEventListener("error", () => {
    if (running) {
      toast("this item's media cannot be played (proxy not made yet?)", "error");
      next();
    }
  });
}
