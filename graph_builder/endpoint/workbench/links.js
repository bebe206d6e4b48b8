// Claim, entity and source IRIs in the workbench's results open this server's page for them: a link to
// https://w3id.org/medkg/assertion/HASH goes to /claim/HASH. Kept apart from app.js, and needs nothing of it.
"use strict";

(function () {
  if (window.medkgSite) return; // a static site (medkg site) has no pages for them
  const MEDKG = /^https:\/\/w3id\.org\/medkg\/(assertion|entity|source)\/([a-z0-9][a-z0-9-]*)$/;
  const PAGES = { assertion: "claim", entity: "entity", source: "source" };

  // Rewritten when the link is about to be used (pointer or keyboard), so "open in a new tab" works too.
  function localise(event) {
    const anchor = event.target instanceof Element ? event.target.closest(".yasr a[href]") : null;
    const match = anchor ? MEDKG.exec(anchor.href) : null;
    if (match) anchor.href = `${PAGES[match[1]]}/${match[2]}`; // relative to the page, as its other paths
  }

  for (const type of ["pointerdown", "focusin", "click", "auxclick"]) {
    document.addEventListener(type, localise, true);
  }
})();
