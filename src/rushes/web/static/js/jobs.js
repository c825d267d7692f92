// Jobs page: poll the job counts while the page is visible, so progress and failures appear live.
import { api } from "./common.js";

const STATES = ["pending", "running", "done", "failed"];
const page = document.getElementById("jobs-page");

function basename(path) {
  return path ? path.split("/").pop() : "";
}

function render(data) {
  for (const s of STATES) document.getElementById(`n-${s}`).textContent = data.jobs[s];
  const bar = document.getElementById("job-progress");
  bar.max = data.progress.total || 1;
  bar.value = data.progress.finished;
  document.getElementById("job-state").textContent =
    `${data.progress.finished} of ${data.progress.total} finished` +
    (data.analysis_running ? " · analysing…" : "");
  const retry = document.getElementById("retry");
  if (retry) retry.disabled = !data.jobs.failed;
  document.getElementById("n-errors").textContent = data.errors.length;
  const body = document.querySelector("#errors tbody");
  const rows = data.errors.map((e) => {
    const tr = document.createElement("tr");
    const file = document.createElement("td");
    file.className = "path";
    if (e.asset) {
      const link = document.createElement("a");
      link.href = `/assets/${e.asset}`;
      link.textContent = basename(e.path) || e.asset.slice(0, 12);
      file.append(link);
    } else {
      file.textContent = e.path;
    }
    const step = document.createElement("td");
    step.textContent = e.analyzer;
    const error = document.createElement("td");
    error.textContent = e.error;
    tr.append(file, step, error);
    return tr;
  });
  if (!rows.length) {
    const tr = document.createElement("tr");
    tr.className = "none";
    const td = document.createElement("td");
    td.colSpan = 3;
    td.className = "dim";
    td.textContent = "No problems.";
    tr.append(td);
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

async function poll() {
  if (!document.hidden) {
    try { render(await api("GET", "/api/jobs")); } catch (_) { /* next poll will tell */ }
  }
  setTimeout(poll, 2000);
}

if (page) setTimeout(poll, 2000);
