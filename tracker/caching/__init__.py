"""The response cache the public pages and the API share (responses.py).

It belongs to no surface: the pages (tracker/public/caching.py) and the API
(tracker/api/views.py, hits.py) both keep their rendered answers here.
"""
