"""The admin console at ``/console``: a single-page app built from ``console/`` at setup.

``./dev setup`` builds it into ``engine/console/dist`` from npm packages pinned in
``package-lock.json``; :mod:`engine.console.routes` serves those files with a
Content-Security-Policy that allows only this engine's origin, so the page works without
internet and never sends a request elsewhere.
"""
