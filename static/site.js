// Small enhancements. Every page works without them (the menus are <details>, the forms post, links link).
(function () {
  "use strict";
  // The error summary takes the focus after a failed post (its autofocus does it; this covers older browsers).
  var summary = document.querySelector(".error-summary");
  if (summary && (document.activeElement === document.body || document.activeElement === null)) summary.focus();

  // The catalogue's filters: closed on a phone (the events come first), open where there is room.
  var filters = document.querySelector("details.filter-box");
  if (filters && window.matchMedia("(min-width: 48rem)").matches) filters.open = true;

  // Check-in: read the QR code with the camera where the browser has a barcode detector; typing stays.
  var scan = document.querySelector("[data-scan]");
  if (scan && "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    scan.hidden = false;
    var video = document.querySelector("[data-scan-video]");
    var status = scan.querySelector("[data-scan-status]");
    var input = document.getElementById("f-code");
    scan.querySelector("[data-scan-start]").addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream; video.hidden = false; video.play();
        status.textContent = scan.getAttribute("data-looking") || "";
        var stop = function () { stream.getTracks().forEach(function (track) { track.stop(); }); video.hidden = true; };
        var look = function () {
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stop();
              input.value = codes[0].rawValue.split("/").pop();  // a ticket code, or a card's link ending in its number
              input.form.submit();
            } else { window.requestAnimationFrame(look); }
          }, function () { window.requestAnimationFrame(look); });
        };
        look();
      }, function () { status.textContent = scan.getAttribute("data-no-camera") || ""; });
    });
  }

  // Dropdowns of the header (menu, account): one open at a time; Escape or a click outside closes them.
  var drops = Array.prototype.slice.call(document.querySelectorAll("details.dropdown"));
  drops.forEach(function (drop) {
    drop.addEventListener("toggle", function () {
      if (drop.open) drops.forEach(function (other) { if (other !== drop) other.open = false; });
    });
  });
  document.addEventListener("click", function (event) {
    drops.forEach(function (drop) { if (drop.open && !drop.contains(event.target)) drop.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    drops.forEach(function (drop) {
      if (drop.open) { drop.open = false; drop.querySelector("summary").focus(); }
    });
  });
})();
