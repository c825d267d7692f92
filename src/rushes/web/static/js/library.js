// The library: a kind chip filters at once; moving over a card scrubs through its filmstrip.

const filters = document.querySelector("form.filters");
if (filters) {
  filters.querySelectorAll(".kinds input").forEach((input) => {
    input.addEventListener("change", () => filters.requestSubmit());
  });
}

document.querySelectorAll(".thumb[data-filmstrip]").forEach((thumb) => {
  const scrub = thumb.querySelector(".scrub");
  const frames = Number(thumb.dataset.frames) || 1;
  let loaded = false;
  thumb.addEventListener("mouseenter", () => {
    if (!loaded) {
      // Set through CSSOM (allowed by the page's CSP, unlike an inline style attribute).
      scrub.style.backgroundImage = `url("${thumb.dataset.filmstrip}")`;
      scrub.style.backgroundSize = `${frames * 100}% 100%`;
      loaded = true;
    }
  });
  thumb.addEventListener("mousemove", (event) => {
    const box = thumb.getBoundingClientRect();
    const share = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 0.9999);
    const index = Math.floor(share * frames);
    scrub.style.backgroundPosition = frames > 1 ? `${(index / (frames - 1)) * 100}% 0` : "0 0";
    scrub.style.setProperty("--scrub", `${((index + 1) / frames) * 100}%`);
    thumb.classList.add("scrubbing");
  });
  thumb.addEventListener("mouseleave", () => thumb.classList.remove("scrubbing"));
});
