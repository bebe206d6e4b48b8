"""What the browser tests of ``medkg serve``'s pages share: the script that records what the CSP blocked.

A request the Content-Security-Policy blocks never becomes a request playwright could see, so each page
also lists the attempts in ``window.__violations``.
"""

from __future__ import annotations

#: Injected by playwright before the page's scripts (the CSP does not apply to it): every attempt the CSP
#: blocked, as "directive blocked-URI".
RECORD_VIOLATIONS = """window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  `${e.effectiveDirective} ${e.blockedURI}`));"""
