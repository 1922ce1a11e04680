"""Deploy: a built site → where readers get it.

publish (build with publishconf.py, add the manifest) → targets (dir, rsync: one class each)
→ releases (the `releases/` + `current` layout a target and a village PC share). bundle packs a
release for a village PC; sync brings a village PC up to the county's release; serve is the HTTP
server for a built site or a village copy; preview rebuilds and serves while the web team edits.
"""
