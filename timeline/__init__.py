"""Seed 004's timeline: time-limited posts served newest first from a cache with a TTL.

The cache sits behind one small interface (:mod:`timeline.cache`) with Redis, Momento and
"off" implementations; the action service serves ``homeTimeline`` from it
(:mod:`timeline.feed`), the trigger service invalidates it on new and deleted posts
(:mod:`timeline.invalidation`) and sweeps expired posts (:mod:`timeline.sweep`).
"""
