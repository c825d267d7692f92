// Clips page: the bin and cut pickers send each form to the chosen bin or paper edit.

function follow(selectClass, kind) {
  document.querySelectorAll(`select.${selectClass}`).forEach((select) => {
    const form = select.closest("form");
    const point = () => {
      form.action = `/api/${kind}/${encodeURIComponent(select.value)}/items`;
    };
    select.addEventListener("change", point);
    point();
  });
}

follow("bin-select", "bins");
follow("cut-select", "cuts");
