"""Streaming shot-boundary detection on small YUV frames: cuts, dissolves and fades through black.

The detector sees each frame once, as the ~96-pixel-wide Y/U/V grid the media layer slices from
the decoder, and keeps only a sliding window of them (a ring of about two seconds). Everything
per frame is a handful of numpy calls on that grid, because the whole pass must cost little more
than decoding: the work per frame is one cast into the ring, one difference and two dot products;
the heavier tests (colour histograms among them, made only for the frames a test asks about) run
only on frames that look like a candidate.

Three detectors share the ring:

* **Cuts** — the RMS difference ``d(t)`` between consecutive frames, compared with its own
  neighbourhood (PySceneDetect's AdaptiveDetector idea): a cut is a spike, fast motion is a
  plateau. The same test runs on 6×8 block means, where fine texture that changes completely
  every frame (foliage, water, noise) averages out and a change of scene still shows. A spike
  whose far side looks like its near side again a few frames later — in block means and in
  colour histogram — is a flash or a passing occlusion, not a cut.
* **Dissolves** — a dissolve is a linear mix, so mid-way ``f(t) ≈ (f(t-k) + f(t+k)) / 2`` while
  ``f(t-k)`` and ``f(t+k)`` differ a lot. Motion breaks that linearity (the midpoint of two moved
  pictures is a double exposure, not the picture in between), which is what tells them apart.
  A picture drifting steadily (a slowly moving gradient) is linear too, so the picture must also
  be settled on both sides of the span: it changes far less over ``k`` frames before and after
  than across it. When motion spoils the linear mix (a dissolve out of a pan), the colour
  histogram still tells: it ignores where things are, so it stays put within a moving shot and
  moves, without a jump, from one settled histogram to another across a dissolve. The span comes
  from projecting the frames on the line from ``f(t-k)`` to ``f(t+k)`` (pixels or histograms).
* **Fades** — a dip of mean luma to flat near-black, entered or left gradually. Fades in at the
  very start and out at the very end of a clip are not boundaries and are not reported.

All times are frame numbers; the caller owns the rate and turns them into seconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

#: Cut: a frame difference at least this many times its neighbourhood's mean (AdaptiveDetector's
#: default threshold is 3 too).
CUT_RATIO = 3.0
#: Cut between two shots moving differently: how far the spike must rise above the busier side
#: (it must still be CUT_RATIO times the calmer side).
CUT_BUSY_SIDE = 1.2
#: Cut: smallest RMS difference (8-bit levels) that can be a cut at all.
CUT_MIN_DIFF = 10.0
#: Cut: the same on block means (detail-free, so noise-like texture does not hide a cut).
CUT_MIN_COARSE = 6.0
#: Blocks of the coarse picture (rows, columns): block means are what survives fast motion.
COARSE_BLOCKS = (6, 8)
#: Frames each side forming the neighbourhood of a cut candidate.
CUT_WINDOW = 2
#: Flash: how far (frames) before and after a spike we look for the picture coming back.
FLASH_REACH = 4
#: Flash: the picture "came back" when it is this close (relative to the spike) to one before it.
FLASH_RETURN = 0.5
#: Dissolve: smallest RMS change across the tested interval.
DISSOLVE_MIN_DIFF = 14.0
#: Dissolve: largest distance from the linear mix, relative to the change across the interval.
DISSOLVE_LINEARITY = 0.2
#: Dissolve: no single step may carry more than this share of the change (that is a cut).
DISSOLVE_MAX_STEP = 0.45
#: Dissolve: pictures at both ends this correlated are one scene changing light, not a dissolve.
DISSOLVE_MAX_CORRELATION = 0.95
#: Dissolve: the picture must be settled either side of the span: over the span's half-length
#: before it and after it, it changes at most this much (relative to the change across the span),
#: on average. A picture drifting steadily (a slowly moving gradient) changes half as much there,
#: and is as close to a linear mix of its ends as a dissolve is.
DISSOLVE_SETTLED = 0.3
#: Dissolve out of (or into) fast motion, where the mix is no mix of the end frames: the colour
#: histograms at both ends must be at least this far apart (histograms ignore where things are)...
DISSOLVE_HIST_MOVING = 0.5
#: ...and each side settled: over the same length before and after the span the histogram
#: moves at most this share of its move across the span (a pan that keeps revealing new colours
#: does not settle).
DISSOLVE_HIST_SETTLED = 0.4
#: Fade: the darkest frame's mean luma must be at most this (black is 16, or 0 in full range).
FADE_DARK = 36.0
#: Fade: the darkest frame must also be flat (luma standard deviation at most this).
FADE_FLAT = 12.0
#: Fade: the pictures either side must be at least this much brighter than the darkest.
FADE_DEPTH = 20.0
#: Fade: a gradual side has at least this many frames of steady luma change.
FADE_MIN_RAMP = 3
#: Luma steps smaller than this do not count as steady change (noise, small motion).
FADE_RAMP_STEP = 0.4

#: Colour histogram bins: 7 of luma and 5 of each chroma, the middle chroma bin centred on grey.
_HIST_LEVELS = (7, 5, 5)
_HIST_BINS = 7 * 5 * 5
_HIST_WEIGHTS = np.array([5 * 5, 5, 1], np.float32)


@dataclass(frozen=True)
class Transition:
    """One boundary: ``frame`` is where the new shot starts; gradual ones span start..end."""

    kind: str
    frame: int
    start_frame: int
    end_frame: int

    def as_dict(self) -> dict[str, int | str]:
        return {
            "kind": self.kind,
            "frame": self.frame,
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
        }


class ShotDetector:
    """Feed small frames in order with :meth:`push`; :meth:`finish` returns the transitions.

    ``rate`` sets the time scales (the dissolve test spans about a second); ``sensitivity``
    above 1 lowers the thresholds (more boundaries), below 1 raises them. Limits on a ratio are
    multiplied by it, except the two "settled sides" ones, multiplied by its square root (at
    twice the sensitivity a steadily drifting picture must still not pass as settled).
    """

    def __init__(self, rate: Fraction, sensitivity: float = 1.0) -> None:
        fps = float(rate) if rate > 0 else 25.0
        self.sensitivity = max(0.05, float(sensitivity))
        #: Half-width of the dissolve test, about half a second.
        self.half = max(4, round(fps / 2))
        #: Frames a cut decision waits for (neighbourhood and flash look-ahead).
        self.lag = max(CUT_WINDOW, FLASH_REACH)
        self.size = 4 * self.half + 2 * self.lag + 8
        self.luma_keep = max(self.size, round(3 * fps))
        #: Longest hold on black that still counts as one fade.
        self.max_black = round(2 * fps)
        self.count = 0
        self._ring: np.ndarray | None = None
        self._tmp: np.ndarray | None = None
        self._tmp2: np.ndarray | None = None
        self._htmp: np.ndarray | None = None
        self._y_weights: np.ndarray | None = None
        self._diff = [0.0] * self.size
        self._cdiff = [0.0] * self.size
        self._coarse: np.ndarray | None = None
        self._rows: np.ndarray | None = None
        self._cols: np.ndarray | None = None
        self._shape = (0, 0)
        # Colour histograms, made only for frames a candidate asks about (cached per ring slot).
        self._hists = np.zeros((self.size, _HIST_BINS), np.float32)
        self._hist_of = [-1] * self.size
        self._hist_scale: np.ndarray | None = None
        self._luma = [0.0] * self.luma_keep
        self._found: list[Transition] = []
        # Dissolve candidate run: best (score, centre, by histogram) so far.
        self._dissolve_best: tuple[float, int, bool] | None = None
        self._dissolve_quiet_until = -1
        # Fade state: the current dark run (start, darkest frames) and the ascent after it.
        self._dark_start = -1
        self._dark_min = math.inf
        self._dark_flat = False
        self._ascent_from = -1

    @property
    def window(self) -> int:
        """Frames held at once (the ring's length): fixed by the rate, not the video's length."""
        return self.size

    def held_bytes(self) -> int:
        """Bytes of frame data held (ring, block means, histograms): fixed after the first frame."""
        arrays = (
            self._ring, self._coarse, self._tmp, self._tmp2, self._htmp, self._hists,
            self._hist_scale,
        )
        return sum(a.nbytes for a in arrays if a is not None)

    # -- feeding ---------------------------------------------------------------------------

    def push(self, small: np.ndarray) -> None:
        """Take the next frame's ``H × W × 3`` uint8 grid (the caller may reuse the array)."""
        t = self.count
        if self._ring is None:
            self._allocate(small.shape[0], small.shape[1])
        assert self._ring is not None and self._tmp is not None and self._y_weights is not None
        assert self._coarse is not None and self._rows is not None and self._cols is not None
        slot = t % self.size
        row = self._ring[slot]
        np.copyto(row, small.reshape(-1))
        luma = float(np.dot(row, self._y_weights))
        self._luma[t % self.luma_keep] = luma
        # Block means as two small matrix products: rows, then columns of each channel.
        h, w = self._shape
        by = (self._rows @ row.reshape(h, w * 3)).reshape(-1, w, 3).transpose(0, 2, 1)
        coarse = self._coarse[slot]
        np.matmul(by, self._cols, out=coarse.reshape(by.shape[0], 3, -1))
        if t > 0:
            np.subtract(row, self._ring[(t - 1) % self.size], out=self._tmp)
            self._diff[slot] = math.sqrt(float(np.dot(self._tmp, self._tmp)) / row.size)
            step = coarse - self._coarse[(t - 1) % self.size]
            self._cdiff[slot] = math.sqrt(float(np.dot(step, step)) / step.size)
        self.count = t + 1
        self._track_fade(t, luma)
        c = t - self.lag
        if c >= 1:
            self._decide_cut(c, t)
        # Dissolve centres are tested once the frames a span's length after their span came.
        self._step_dissolve(t - 2 * self.half, t)

    def finish(self) -> list[Transition]:
        """Decide what the window still holds and return transitions in frame order."""
        last = self.count - 1
        for c in range(max(1, last - self.lag + 1), last + 1):
            self._decide_cut(c, last)
        for c in range(max(0, last - 2 * self.half + 1), last - self.half + 1):
            self._step_dissolve(c, last)
        self._close_dissolve(last, force=True)
        if self._ascent_from >= 0:
            self._close_fade(last)
        return _resolve(self._found, self.count)

    def _allocate(self, h: int, w: int) -> None:
        n = h * w * 3
        self._shape = (h, w)
        by, bx = min(COARSE_BLOCKS[0], h), min(COARSE_BLOCKS[1], w)
        bh, bw = h // by, w // bx
        self._rows = np.zeros((by, h), np.float32)
        for i in range(by):
            self._rows[i, i * bh : (i + 1) * bh] = 1.0 / bh
        self._cols = np.zeros((w, bx), np.float32)
        for j in range(bx):
            self._cols[j * bw : (j + 1) * bw, j] = 1.0 / bw
        self._coarse = np.zeros((self.size, by * 3 * bx), np.float32)
        self._ring = np.zeros((self.size, n), np.float32)
        self._tmp = np.empty(n, np.float32)
        self._tmp2 = np.empty(n, np.float32)
        self._htmp = np.empty(n, np.float32)
        weights = np.zeros(n, np.float32)
        weights[0::3] = 3.0 / n
        self._y_weights = weights
        self._hist_scale = np.tile(np.array(_HIST_LEVELS, np.float32) / 256, h * w)

    # -- helpers ---------------------------------------------------------------------------

    def _frame(self, t: int) -> np.ndarray:
        """Frame ``t`` as a flat float32 row of the ring (it must still be in the window)."""
        assert self._ring is not None
        row: np.ndarray = self._ring[t % self.size]
        return row

    def _hist(self, t: int) -> np.ndarray:
        """Frame ``t``'s colour histogram (shares summing to 1), made on first use."""
        slot = t % self.size
        hist: np.ndarray = self._hists[slot]
        if self._hist_of[slot] != t:
            tmp, scale = self._htmp, self._hist_scale
            assert tmp is not None and scale is not None
            np.multiply(self._frame(t), scale, out=tmp)
            np.floor(tmp, out=tmp)
            levels = tmp.reshape(-1, 3) @ _HIST_WEIGHTS
            counts = np.bincount(levels.astype(np.intp), minlength=_HIST_BINS)
            np.multiply(counts, 1.0 / levels.size, out=hist)
            self._hist_of[slot] = t
        return hist

    def _hist_gap(self, t: int, u: int) -> float:
        """L1 distance of two frames' colour histograms: 0 (same colours) to 2 (none shared)."""
        return float(np.abs(self._hist(t) - self._hist(u)).sum())

    # -- cuts ------------------------------------------------------------------------------

    def _decide_cut(self, c: int, newest: int) -> None:
        """Is frame ``c`` the first of a new shot? ``newest`` is the last frame available."""
        spike = self._spike(self._diff, c, newest, CUT_MIN_DIFF) or self._spike(
            self._cdiff, c, newest, CUT_MIN_COARSE
        )
        if spike and not self._is_flash(c, newest):
            self._found.append(Transition("cut", c, c, c))

    def _spike(self, diff: list[float], c: int, newest: int, floor: float) -> bool:
        """Does ``diff[c]`` stand out of its neighbourhood (and above ``floor``)?"""
        size, s = self.size, self.sensitivity
        d = diff[c % size]
        if d < floor / s:
            return False
        before = [diff[j % size] for j in range(max(1, c - CUT_WINDOW), c)]
        after = [diff[j % size] for j in range(c + 1, min(newest, c + CUT_WINDOW) + 1)]
        around = before + after
        if not around:
            return True
        if d <= max(around):
            return False
        ratio = CUT_RATIO / s
        if d >= ratio * (sum(around) / len(around) + 1.0):
            return True
        if not before or not after:
            return False
        # Two shots moving differently: the spike need only tower over the calmer side.
        sides = sorted((sum(before) / len(before), sum(after) / len(after)))
        return d >= ratio * (sides[0] + 1.0) and d >= CUT_BUSY_SIDE * (sides[1] + 1.0)

    def _is_flash(self, c: int, newest: int) -> bool:
        """Does the picture after the spike at ``c`` come back to one from just before it?

        Compared on block means, so a flash over noise-like texture is recognised too, and on
        colour histograms: block means of two noise-like textures can be as close as those of
        one texture a few frames apart, but a texture of other colours is another picture.
        """
        coarse = self._coarse
        assert coarse is not None
        size = self.size
        limit = FLASH_RETURN * self._cdiff[c % size]
        hist_limit = FLASH_RETURN * self._hist_gap(c - 1, c)
        oldest = max(0, newest - self.size + 1)
        for i in range(1, FLASH_REACH + 2):
            before = c - i
            if before < oldest:
                break
            for j in range(FLASH_REACH + 1):
                after = c + j
                if after > newest:
                    break
                if i == 1 and j == 0:
                    continue
                gap = coarse[before % size] - coarse[after % size]
                if math.sqrt(float(np.dot(gap, gap)) / gap.size) < limit and (
                    self._hist_gap(before, after) < hist_limit
                ):
                    return True
        return False

    # -- dissolves -------------------------------------------------------------------------

    def _step_dissolve(self, c: int, newest: int) -> None:
        """Test centre ``c`` (every other frame) or close a run behind it; frames to ``newest``."""
        if c >= self.half and c % 2 == 0:
            self._test_dissolve(c, self.half, newest)
        elif c > self.half:
            self._close_dissolve(c, force=False)

    def _test_dissolve(self, c: int, k: int, newest: int) -> None:
        """Score frame ``c`` as the middle of a dissolve between ``c - k`` and ``c + k``.

        Two ways to pass: the middle is the linear mix of the ends (the pixel test, exact for
        still pictures), or, where motion spoils that, the colours move from one settled
        histogram to another across the span without a jump (the histogram test).
        """
        if c <= self._dissolve_quiet_until:
            return
        tmp, tmp2 = self._tmp, self._tmp2
        assert tmp is not None and tmp2 is not None
        s = self.sensitivity
        a, b, m = self._frame(c - k), self._frame(c + k), self._frame(c)
        np.subtract(b, a, out=tmp)
        n = tmp.size
        change = math.sqrt(float(np.dot(tmp, tmp)) / n)
        found: tuple[float, int, bool] | None = None
        if change >= DISSOLVE_MIN_DIFF / s:
            np.add(a, b, out=tmp2)
            tmp2 *= 0.5
            np.subtract(m, tmp2, out=tmp2)
            score = math.sqrt(float(np.dot(tmp2, tmp2)) / n) / change
            if score <= DISSOLVE_LINEARITY * s and self._mixed(c, k, change, newest):
                found = (score, c, False)
            else:
                side = self._hist_settled(c, k, newest)
                if side is not None:
                    found = (1.0 + side, c, True)
            if found is not None and not self._distinct(c, k):
                found = None
        if found is None:
            self._close_dissolve(c, force=True)
            return
        best = self._dissolve_best
        if best is None or found[0] < best[0]:
            self._dissolve_best = found

    def _distinct(self, c: int, k: int) -> bool:
        """The two ends are different pictures, not one scene changing light."""
        a, b = self._frame(c - k)[0::3], self._frame(c + k)[0::3]
        da, db = a - a.mean(), b - b.mean()
        norm = math.sqrt(float(np.dot(da, da)) * float(np.dot(db, db)))
        return norm == 0.0 or float(np.dot(da, db)) / norm < DISSOLVE_MAX_CORRELATION

    def _mixed(self, c: int, k: int, change: float, newest: int) -> bool:
        """Linear-mix candidate: no single step carries the change (that is a cut), and the
        picture is settled on both sides of the span (not drifting steadily)."""
        size, diff = self.size, self._diff
        if max(diff[j % size] for j in range(c - k + 1, c + k + 1)) > DISSOLVE_MAX_STEP * change:
            return False
        sides = self._sides(c, k, newest, self._pixel_gap)
        side = sum(sides) / len(sides) if sides else 0.0
        return side <= DISSOLVE_SETTLED * math.sqrt(self.sensitivity) * change

    def _sides(
        self, c: int, k: int, newest: int, gap: Callable[[int, int], float]
    ) -> list[float]:
        """How much the picture changes over ``k`` frames before and after the span ``c ± k``.

        Each side is the smaller of the change over ``k`` frames and twice that over ``k/2``
        next to the span (the same for steady drift), so a cut or a flash landing on the far
        end of a side does not unsettle it. A side cut short by the clip's start or end is
        scaled up to ``k`` frames; one with no frames at all is left out.
        """
        sides = []
        near = max(1, k // 2)
        for end, far, step in ((c - k, max(0, c - 2 * k), -1), (c + k, min(newest, c + 2 * k), 1)):
            length = abs(far - end)
            if length == 0:
                continue
            side = gap(far, end) * k / length
            if length > near:
                side = min(side, gap(end + step * near, end) * k / near)
            sides.append(side)
        return sides

    def _pixel_gap(self, t: int, u: int) -> float:
        """RMS difference of two frames (8-bit levels)."""
        tmp = self._tmp
        assert tmp is not None
        np.subtract(self._frame(u), self._frame(t), out=tmp)
        return math.sqrt(float(np.dot(tmp, tmp)) / tmp.size)

    def _hist_settled(self, c: int, k: int, newest: int) -> float | None:
        """Histogram candidate: how far (relative to the move across the span) the colours move
        on the busier side of the span, or None when this is no dissolve (too little colour
        change, a side not settled, or one step carrying the change: a cut)."""
        s = self.sensitivity
        across = self._hist_gap(c - k, c + k)
        if across < DISSOLVE_HIST_MOVING / s:
            return None
        sides = self._sides(c, k, newest, self._hist_gap)
        side = max(sides, default=0.0)
        if len(sides) < 2 or side > DISSOLVE_HIST_SETTLED * math.sqrt(s) * across:
            return None  # at the clip's start or end nothing shows the side settled
        step = DISSOLVE_MAX_STEP * across
        if any(self._hist_gap(j - 1, j) > step for j in range(c - k + 1, c + k + 1)):
            return None
        return side / across

    def _close_dissolve(self, c: int, *, force: bool) -> None:
        """End a run of dissolve-like centres once past it, recording its best centre.

        The span and middle come from projecting each frame on the line from the first picture
        to the last: in pixels, or in colour histograms where the run passed by histogram (a
        histogram does not move in proportion to the mix, so the middle is then the span's).
        """
        best = self._dissolve_best
        if best is None or (not force and c < best[1] + self.half):
            return
        self._dissolve_best = None
        centre, k, by_hist = best[1], self.half, best[2]
        frame = self._hist if by_hist else self._frame
        a, b = frame(centre - k), frame(centre + k)
        axis = b - a
        norm = float(np.dot(axis, axis))
        if norm <= 0.0:
            return
        start, end, middle, closest = centre - k, centre + k, centre, math.inf
        for j in range(centre - k, centre + k + 1):
            alpha = float(np.dot(frame(j) - a, axis)) / norm
            if alpha <= 0.05 and j <= centre:
                start = j
            if alpha >= 0.95 and j >= centre and end == centre + k:
                end = j
            if abs(alpha - 0.5) < closest:
                closest, middle = abs(alpha - 0.5), j
        if by_hist:
            middle = (start + end) // 2
        self._found.append(Transition("dissolve", middle, start, end))
        self._dissolve_quiet_until = end

    # -- fades -----------------------------------------------------------------------------

    def _track_fade(self, t: int, luma: float) -> None:
        """Follow dark runs and the climb out of them; judge a run when the climb ends."""
        if self._ascent_from >= 0:
            prev = self._luma[(t - 1) % self.luma_keep]
            if luma > prev + FADE_RAMP_STEP and t - self._ascent_from < self.max_black:
                return
            self._close_fade(t - 1)
        if luma <= FADE_DARK:
            if self._dark_start < 0:
                self._dark_start, self._dark_min = t, math.inf
            if luma < self._dark_min:
                self._dark_min = luma
                self._dark_flat = self._flat(t)
            return
        if self._dark_start >= 0:
            self._ascent_from = t - 1
            self._track_fade(t, luma)

    def _flat(self, t: int) -> bool:
        y = self._frame(t)[0::3]
        mean = float(y.mean())
        return math.sqrt(max(0.0, float(np.dot(y, y)) / y.size - mean * mean)) <= FADE_FLAT

    def _close_fade(self, end: int) -> None:
        """The climb out of a dark run ended at ``end``: record a fade if it was one."""
        start_dark, ascent_from = self._dark_start, self._ascent_from
        self._dark_start, self._ascent_from = -1, -1
        if start_dark <= 0 or not self._dark_flat or ascent_from - start_dark > self.max_black:
            return  # a fade in from black at the start, a dark scene, or a long black shot
        keep, lumas = self.luma_keep, self._luma
        start = start_dark
        oldest = max(0, self.count - keep)
        while start - 1 >= oldest and start_dark - start < self.max_black and (
            lumas[(start - 1) % keep] > lumas[start % keep] + FADE_RAMP_STEP
        ):
            start -= 1
        before, after = lumas[start % keep], lumas[end % keep]
        bottom = self._dark_min
        if min(before, after) < bottom + FADE_DEPTH / self.sensitivity:
            return
        if start_dark - start < FADE_MIN_RAMP and end - ascent_from < FADE_MIN_RAMP:
            return  # cut to black and cut back: the cut detector reports those
        darkest = [j for j in range(start_dark, ascent_from + 1) if lumas[j % keep] <= bottom + 1]
        frame = (darkest[0] + darkest[-1]) // 2
        self._found.append(Transition("fade", frame, start, end))


def _resolve(found: list[Transition], count: int) -> list[Transition]:
    """Merge the detectors' findings: fades win over dissolves (a fade out is a dissolve to black,
    so one overlapping a fade by more than a few frames is part of it), gradual ones over cuts
    inside."""
    fades = [t for t in found if t.kind == "fade"]
    dissolves = [
        t for t in found if t.kind == "dissolve"
        and not any(
            f.start_frame - 2 <= t.frame <= f.end_frame + 2
            or (t.start_frame < f.end_frame - 2 and t.end_frame > f.start_frame + 2)
            for f in fades
        )
    ]
    gradual = fades + dissolves
    cuts = [
        t for t in found if t.kind == "cut"
        and not any(g.start_frame - 1 <= t.frame <= g.end_frame + 1 for g in gradual)
    ]
    out: list[Transition] = []
    for t in sorted(gradual + cuts, key=lambda t: t.frame):
        if 0 < t.frame < count and (not out or t.frame - out[-1].frame > 2):
            out.append(t)
    return out
