// vanthu: link lines and their boxes on the document page; remember the write token.
"use strict";

function currentLine() {
  const m = /^#line-(\d+)$/.exec(location.hash);
  return m ? m[1] : null;
}

function showLine(n) {
  document.querySelectorAll(".current").forEach((el) => el.classList.remove("current"));
  if (n === null) return;
  const line = document.getElementById("line-" + n);
  const box = document.getElementById("box-" + n);
  if (line) line.classList.add("current");
  if (box) {
    box.classList.add("current");
    const scan = box.closest(".scan");
    const svg = box.ownerSVGElement;
    if (scan && svg) {
      // scroll the page image (its own scroll box) so that the box is in the middle
      const scale = svg.clientHeight / svg.viewBox.baseVal.height;
      const y = box.y.baseVal.value * scale;
      scan.scrollTop = Math.max(0, y - scan.clientHeight / 2);
    }
  }
}

function hover(n, on) {
  for (const id of ["line-" + n, "box-" + n]) {
    const el = document.getElementById(id);
    if (el) el.classList.toggle("hover", on);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  window.addEventListener("hashchange", () => showLine(currentLine()));
  document.querySelectorAll("li.line, rect.box").forEach((el) => {
    el.addEventListener("mouseenter", () => hover(el.dataset.line, true));
    el.addEventListener("mouseleave", () => hover(el.dataset.line, false));
  });
  document.querySelectorAll(".frame img").forEach((img) => {
    const missing = () => img.closest(".scan").classList.add("missing");
    img.addEventListener("error", missing);
    img.addEventListener("load", () => showLine(currentLine()));
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("loading") !== "lazy") missing();
  });
  // the token (when the server asks for one) is typed once per browser tab
  const saved = sessionStorage.getItem("vanthu-token") || "";
  document.querySelectorAll("input[name=token]").forEach((input) => {
    input.value = saved;
    input.form.addEventListener("submit", () => sessionStorage.setItem("vanthu-token", input.value));
  });
  showLine(currentLine());
});
