"""The dashboard's views: pages, curation, exports, the Atom feed and the signal colours stylesheet."""
