// SMPTE timecode in the browser, the same arithmetic as rushes.domain.timecode (drop-frame
// included), so the label under the player matches what the CLI and the exports print.

export class Clock {
  constructor(rateNum, rateDen, startFrame = 0, dropFrame = false) {
    this.num = rateNum;
    this.den = rateDen || 1;
    this.startFrame = startFrame;
    this.dropFrame = dropFrame;
  }

  get known() { return Boolean(this.num); }

  /** The frame shown at `seconds` into the media (the last frame started at or before it). */
  frameAt(seconds) {
    return Math.floor(seconds * this.num / this.den + 1e-7);
  }

  label(seconds) {
    if (!this.known) return formatClock(seconds);
    return formatFrames(this.startFrame + this.frameAt(seconds), this.num, this.den, this.dropFrame);
  }
}

export function nominalFps(num, den) { return Math.round(num / den); }

export function formatFrames(frames, num, den, dropFrame) {
  const fps = nominalFps(num, den);
  const sign = frames < 0 ? "-" : "";
  let f = Math.abs(frames);
  if (dropFrame) {
    const drop = Math.floor(2 * fps / 30);
    const per10 = fps * 600 - drop * 9;
    const perMin = fps * 60 - drop;
    const tens = Math.floor(f / per10);
    const rem = f % per10;
    f += rem > drop ? drop * 9 * tens + drop * Math.floor((rem - drop) / perMin) : drop * 9 * tens;
  }
  const ff = f % fps;
  const total = Math.floor(f / fps);
  const pad = (n) => String(n).padStart(2, "0");
  const sep = dropFrame ? ";" : ":";
  return `${sign}${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}${sep}${pad(ff)}`;
}

/** Frames since 00:00:00:00 of a label like 01:00:00;00 (drop-frame when ';' or ','). */
export function parseTimecode(text, num, den) {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})([:;.,])(\d{2,3})$/.exec(text.trim());
  if (!m) return { frames: 0, dropFrame: false };
  const [h, mi, s, f] = [m[1], m[2], m[3], m[5]].map(Number);
  const fps = nominalFps(num, den);
  const dropFrame = m[4] === ";" || m[4] === ",";
  let frames = (h * 3600 + mi * 60 + s) * fps + f;
  if (dropFrame) {
    const drop = Math.floor(2 * fps / 30);
    const minutes = 60 * h + mi;
    frames -= drop * (minutes - Math.floor(minutes / 10));
  }
  return { frames, dropFrame };
}

export function formatClock(seconds) {
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(2).padStart(5, "0")}`;
}
